import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { REFUND_STATUSES } from "../../../protocol/vocabulary/order-vocabulary.js";
import { oneOfCheck } from "../database/one-of-check.js";
import type { OrderStatus, RefundStatus } from "../../../protocol/vocabulary/order-vocabulary.js";

import { Order } from "./Order.js";
import { User } from "./User.js";

/**
 * Money returned to a card order's buyer, with who asked (null: the system or Stripe's dashboard), why, and the Stripe
 * refund. `disputeId` names the platform dispute whose ruling caused it; it has no foreign key, since disputes live in
 * their own migration.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const Refund = defineEntity({
  name: "Refund",
  tableName: "refunds",
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    order: () => p.manyToOne(Order).deleteRule("cascade").index("refunds_order_id_index"),
    amountMinor: p.bigint("number"),
    reason: p.text(),
    actor: () => p.manyToOne(User).nullable().deleteRule("set null").index("refunds_actor_id_index"),
    method: p.text().$type<"card">(),
    stripeRefundId: p.text().nullable().unique(),
    status: p.text().$type<RefundStatus>(),
    disputeId: p.uuid().nullable(),
    /**
     * The decision the refund carries out (`ruling:<dispute>`, `staff:<actor>:<key hash>`, `ship-deadline:<order>`,
     * …): one refund per decision, however often it is retried. Null for refunds made in Stripe's dashboard and lost
     * chargebacks.
     */
    idempotencyKey: p.text().nullable().unique(),
    /** What recording the refund took off the farm's payable or transfer, so a failed refund can give it back. */
    farmShareReversedMinor: p.bigint("number").defaultRaw("0"),
    /**
     * Whether the farm's share of this refund was accounted: taken off the payable when recorded, or left out of it
     * when the payable accrued later. Each refund's share is taken once.
     */
    farmShareAccounted: p.boolean().defaultRaw("false"),
    /** Why Stripe refused (rejected) or the bank failed it. */
    failureReason: p.text().nullable(),
    /** The order's status before this refund made it `refunded` (null when it did not): restored if it fails. */
    orderStatusBefore: p.text().$type<OrderStatus>().nullable(),
    createdAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
  },
  checks: [
    { name: "refunds_amount_check", expression: "amount_minor > 0" },
    { name: "refunds_farm_share_check", expression: "farm_share_reversed_minor >= 0" },
    { name: "refunds_method_check", expression: "method IN ('card')" },
    { name: "refunds_status_check", expression: oneOfCheck("status", REFUND_STATUSES) },
  ],
});

export type Refund = InferEntity<typeof Refund>;
