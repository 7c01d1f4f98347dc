import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { Farm } from "./Farm.js";
import { Order } from "./Order.js";

export type FarmPayableStatus = "accrued" | "transferred" | "netted" | "reversed";

/**
 * What the platform owes a farm for one delivered card order: the total less the platform fee. `accrued` until it is
 * transferred to the farm's connected account; refunds add to `reversedMinor` (taken off an accrued payable, or
 * reversed from the transfer); `reversed` once nothing is left of it. Paying it first settles what the farm owes
 * (`debtNettedMinor`, see FarmDebt) and transfers the rest; `netted` when the debts took all of it.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const FarmPayable = defineEntity({
  name: "FarmPayable",
  tableName: "farm_payables",
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    order: () => p.oneToOne(Order).owner().deleteRule("cascade"),
    farm: () => p.manyToOne(Farm).deleteRule("cascade"),
    amountMinor: p.bigint("number"),
    reversedMinor: p.bigint("number").defaultRaw("0"),
    debtNettedMinor: p.bigint("number").defaultRaw("0"),
    currency: p.text(),
    status: p.text().$type<FarmPayableStatus>(),
    stripeTransferId: p.text().nullable().unique(),
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
  indexes: [{ name: "farm_payables_farm_id_status_index", properties: ["farm", "status"] }],
  checks: [
    { name: "farm_payables_amount_check", expression: "amount_minor >= 0 AND reversed_minor >= 0" },
    {
      name: "farm_payables_status_check",
      expression: "status IN ('accrued', 'transferred', 'netted', 'reversed')",
    },
    { name: "farm_payables_debt_netted_check", expression: "debt_netted_minor >= 0" },
  ],
});

export type FarmPayable = InferEntity<typeof FarmPayable>;
