import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import type { OrderStatus } from "../order-vocabulary.js";

import { Order } from "./Order.js";
import { User } from "./User.js";

/** What a refund row records: money back by card (`lost` is a chargeback the platform lost, its Stripe id a dispute's). */
export type RefundStatus = "pending" | "succeeded" | "failed" | "canceled" | "lost";

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
    /** What recording the refund took off the farm's payable or transfer, so a failed refund can give it back. */
    farmShareReversedMinor: p.bigint("number").defaultRaw("0"),
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
    {
      name: "refunds_status_check",
      expression: "status IN ('pending', 'succeeded', 'failed', 'canceled', 'lost')",
    },
  ],
});

export type Refund = InferEntity<typeof Refund>;
