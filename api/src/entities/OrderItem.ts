import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import type { ProductUnit } from "../../../protocol/vocabulary/catalog-vocabulary.js";

import { Order } from "./Order.js";
import { Product } from "./Product.js";

/**
 * One product bought in an order. Name, unit and price are copied at checkout, so the order reads the same after
 * the product changes or is archived.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const OrderItem = defineEntity({
  name: "OrderItem",
  tableName: "order_items",
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    order: () => p.manyToOne(Order).deleteRule("cascade").index("order_items_order_id_index"),
    product: () => p.manyToOne(Product).index("order_items_product_id_index"),
    name: p.text(),
    unit: p.text().$type<ProductUnit>(),
    unitPriceMinor: p.bigint("number"),
    quantity: p.integer(),
    lineTotalMinor: p.bigint("number"),
  },
  checks: [
    { name: "order_items_quantity_check", expression: "quantity > 0" },
    { name: "order_items_line_total_check", expression: "line_total_minor = unit_price_minor * quantity" },
  ],
});

export type OrderItem = InferEntity<typeof OrderItem>;
