import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { ORDER_STATUSES, PAYMENT_METHODS } from "../../../protocol/vocabulary/order-vocabulary.js";
import { oneOfCheck } from "../database/one-of-check.js";
import type { OrderStatus, PaymentMethod } from "../../../protocol/vocabulary/order-vocabulary.js";

import { Checkout } from "./Checkout.js";
import { Farm } from "./Farm.js";
import { User } from "./User.js";

/**
 * One farm's share of a checkout. Prices, fee and totals are fixed at checkout, in integer minor units of `currency`;
 * the fee comes out of what the farm receives, so the buyer pays `totalMinor` = `subtotalMinor`. An escrow order also
 * keeps what the wallet was asked to pay (ref, seller, amount in token units), which its on-chain order must match;
 * one paid in ETH also keeps the price quote its wei amount came from.
 * Orders are never deleted with an account: the buyer's user row stays (anonymised) and `deletedAt` hides an order.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const Order = defineEntity({
  name: "Order",
  tableName: "orders",
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    checkout: () => p.manyToOne(Checkout).index("orders_checkout_id_index"),
    farm: () => p.manyToOne(Farm),
    buyer: () => p.manyToOne(User),
    status: p.text().$type<OrderStatus>(),
    currency: p.text(),
    subtotalMinor: p.bigint("number"),
    feeBps: p.integer(),
    feeMinor: p.bigint("number"),
    totalMinor: p.bigint("number"),
    paymentMethod: p.text().$type<PaymentMethod>(),
    /** The bytes32 reference (0x + 64 lower-case hex) the escrow order must carry; null for card orders. */
    escrowRef: p.text().nullable().unique(),
    /** The farm's payout wallet at checkout: the seller the escrow order must name. */
    escrowSeller: p.text().nullable(),
    /** What the escrow order must hold, in the token's smallest units, as a decimal string (a uint256). */
    escrowAmount: p.text().nullable(),
    /**
     * Set for an escrow order paid in ETH: the price-feed round its wei amount (`escrowAmount`) was computed from
     * (the answer, its decimals and the round id) and when that quote stops being honoured. Null for the stablecoin.
     */
    quotePrice: p.text().nullable(),
    quotePriceDecimals: p.integer().nullable(),
    quoteRoundId: p.text().nullable(),
    quoteExpiresAt: p.datetime().nullable(),
    /** The on-chain order id once an escrow order with this ref was accepted as this order's payment. */
    escrowOrderId: p.text().nullable(),
    /** When the reservation ends: an order still awaiting payment then expires and its stock returns. */
    expiresAt: p.datetime(),
    paidAt: p.datetime().nullable(),
    /**
     * A paid card order not shipped by then is refunded in full (the DAO's ship window from payment, as the escrow
     * gives escrow orders); null for escrow orders, whose deadline is on-chain.
     */
    shipBy: p.datetime().nullable(),
    shippedAt: p.datetime().nullable(),
    deliveredAt: p.datetime().nullable(),
    createdAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    deletedAt: p.datetime().nullable(),
  },
  indexes: [
    { name: "orders_buyer_id_created_at_id_index", properties: ["buyer", "createdAt", "id"] },
    { name: "orders_farm_id_created_at_id_index", properties: ["farm", "createdAt", "id"] },
    { name: "orders_status_expires_at_index", properties: ["status", "expiresAt"] },
    { name: "orders_status_ship_by_index", properties: ["status", "shipBy"] },
  ],
  checks: [
    { name: "orders_status_check", expression: oneOfCheck("status", ORDER_STATUSES) },
    { name: "orders_payment_method_check", expression: oneOfCheck("payment_method", PAYMENT_METHODS) },
    { name: "orders_currency_check", expression: "currency ~ '^[A-Z]{3}$'" },
    {
      name: "orders_amounts_check",
      expression: "subtotal_minor > 0 AND fee_minor >= 0 AND fee_minor <= subtotal_minor AND total_minor > 0",
    },
    { name: "orders_fee_bps_check", expression: "fee_bps >= 0 AND fee_bps <= 10000" },
    { name: "orders_escrow_ref_check", expression: "escrow_ref ~ '^0x[0-9a-f]{64}$'" },
    { name: "orders_escrow_seller_check", expression: "escrow_seller ~ '^0x[0-9a-f]{40}$'" },
    { name: "orders_escrow_amount_check", expression: "escrow_amount ~ '^[1-9][0-9]*$'" },
    {
      name: "orders_escrow_fields_check",
      expression:
        "(payment_method = 'escrow') = (escrow_ref IS NOT NULL AND escrow_seller IS NOT NULL AND escrow_amount IS NOT NULL)",
    },
    {
      name: "orders_quote_check",
      expression:
        "(quote_price IS NULL AND quote_price_decimals IS NULL AND quote_round_id IS NULL AND quote_expires_at IS NULL) " +
        "OR (payment_method = 'escrow' AND quote_price ~ '^[1-9][0-9]*$' AND quote_price_decimals >= 0 AND quote_price_decimals <= 36 " +
        "AND quote_round_id ~ '^[0-9]+$' AND quote_expires_at IS NOT NULL)",
    },
  ],
});

export type Order = InferEntity<typeof Order>;
