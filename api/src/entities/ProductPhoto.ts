import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { Product } from "./Product.js";

/**
 * One photo of a product, stored re-encoded as WebP in two sizes under `key` in the photo store.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const ProductPhoto = defineEntity({
  name: "ProductPhoto",
  tableName: "product_photos",
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    product: () => p.manyToOne(Product).deleteRule("cascade"),
    /** Order of appearance; the first is the product's cover. */
    position: p.integer(),
    key: p.text().unique(),
    width: p.integer(),
    height: p.integer(),
    createdAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
  },
  indexes: [{ name: "product_photos_product_id_position_index", properties: ["product", "position"] }],
  checks: [
    { name: "product_photos_position_check", expression: "position >= 0" },
    { name: "product_photos_size_check", expression: "width > 0 AND height > 0" },
  ],
});

export type ProductPhoto = InferEntity<typeof ProductPhoto>;
