import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { STOCK_CHANGE_REASONS } from "../../../protocol/vocabulary/catalog-vocabulary.js";
import type { StockChangeReason } from "../../../protocol/vocabulary/catalog-vocabulary.js";

import { Product } from "./Product.js";
import { User } from "./User.js";

/**
 * One change of a product's stock: who made it (null for the system), when, why, and the stock after it.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const StockChange = defineEntity({
  name: "StockChange",
  tableName: "stock_changes",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    product: () => p.manyToOne(Product),
    delta: p.integer(),
    stockAfter: p.integer(),
    reason: p.text().$type<StockChangeReason>(),
    note: p.text().nullable(),
    actor: () => p.manyToOne(User).nullable().deleteRule("set null").index("stock_changes_actor_id_index"),
    createdAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
  },
  indexes: [{ name: "stock_changes_product_id_id_index", properties: ["product", "id"] }],
  checks: [
    { name: "stock_changes_stock_after_check", expression: "stock_after >= 0" },
    {
      name: "stock_changes_reason_check",
      expression: `reason IN (${STOCK_CHANGE_REASONS.map((reason) => `'${reason}'`).join(", ")})`,
    },
  ],
});

export type StockChange = InferEntity<typeof StockChange>;
