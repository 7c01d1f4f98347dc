import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { PAYMENT_METHODS } from "../../../protocol/vocabulary/order-vocabulary.js";
import { oneOfCheck } from "../database/one-of-check.js";
import type { PaymentMethod } from "../../../protocol/vocabulary/order-vocabulary.js";

import { User } from "./User.js";

/**
 * One checkout of a buyer's cart: the orders it created (one per farm) share its id. The buyer's Idempotency-Key is
 * kept only as a SHA-256 hash, unique per buyer, with a fingerprint of the request it came with, so a repeat returns
 * this checkout and the same key with another request is refused.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const Checkout = defineEntity({
  name: "Checkout",
  tableName: "checkouts",
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    buyer: () => p.manyToOne(User),
    paymentMethod: p.text().$type<PaymentMethod>(),
    idempotencyKeyHash: p.text(),
    requestFingerprint: p.text(),
    createdAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
    /** When the stock reserved for its orders is released unless they are paid. */
    expiresAt: p.datetime(),
    /** The Stripe Checkout Session a card checkout is paid through. */
    stripeSessionId: p.text().nullable().unique(),
    /** The session's PaymentIntent, once Stripe reported it paid. */
    stripePaymentIntentId: p.text().nullable(),
  },
  uniques: [{ name: "checkouts_buyer_id_idempotency_key_hash_unique", properties: ["buyer", "idempotencyKeyHash"] }],
  checks: [
    { name: "checkouts_payment_method_check", expression: oneOfCheck("payment_method", PAYMENT_METHODS) },
    { name: "checkouts_idempotency_key_hash_check", expression: "idempotency_key_hash ~ '^[0-9a-f]{64}$'" },
  ],
});

export type Checkout = InferEntity<typeof Checkout>;
