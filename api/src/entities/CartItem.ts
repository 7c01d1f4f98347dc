import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { Cart } from "./Cart.js";
import { Product } from "./Product.js";

/**
 * One product in a cart and how many of it. Prices are never copied here: the cart always shows the product's
 * current price, status and stock. Products are archived rather than deleted, so the cascade only tidies up.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const CartItem = defineEntity({
  name: "CartItem",
  tableName: "cart_items",
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    cart: () => p.manyToOne(Cart).deleteRule("cascade"),
    product: () => p.manyToOne(Product).deleteRule("cascade").index("cart_items_product_id_index"),
    quantity: p.integer(),
    addedAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ name: "cart_items_cart_id_product_id_unique", properties: ["cart", "product"] }],
  checks: [{ name: "cart_items_quantity_check", expression: "quantity > 0" }],
});

export type CartItem = InferEntity<typeof CartItem>;
