import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { FARM_DEBT_STATUSES } from "../../../protocol/vocabulary/order-vocabulary.js";
import { oneOfCheck } from "../database/one-of-check.js";
import type { FarmDebtStatus } from "../../../protocol/vocabulary/order-vocabulary.js";

import { Farm } from "./Farm.js";
import { Order } from "./Order.js";
import { Refund } from "./Refund.js";

/**
 * The farm's share of a card refund that could not be taken back from the farm's Stripe account (the farm had paid
 * its balance out, say): the refund stands, and what the farm owes is netted from its next payouts. One per refund.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const FarmDebt = defineEntity({
  name: "FarmDebt",
  tableName: "farm_debts",
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    farm: () => p.manyToOne(Farm).deleteRule("cascade"),
    order: () => p.manyToOne(Order).deleteRule("cascade").index("farm_debts_order_id_index"),
    refund: () => p.oneToOne(Refund).owner().deleteRule("cascade"),
    amountMinor: p.bigint("number"),
    nettedMinor: p.bigint("number").defaultRaw("0"),
    currency: p.text(),
    status: p.text().$type<FarmDebtStatus>(),
    /** Why the reversal did not happen, as Stripe said. */
    reason: p.text(),
    /** The reversal, when a later attempt under the same key went through after all. */
    stripeReversalId: p.text().nullable(),
    createdAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  indexes: [{ name: "farm_debts_farm_id_status_index", properties: ["farm", "status"] }],
  checks: [
    {
      name: "farm_debts_amount_check",
      expression: "amount_minor > 0 AND netted_minor >= 0 AND netted_minor <= amount_minor",
    },
    { name: "farm_debts_status_check", expression: oneOfCheck("status", FARM_DEBT_STATUSES) },
  ],
});

export type FarmDebt = InferEntity<typeof FarmDebt>;
