import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import {
  PRODUCT_CATEGORIES,
  PRODUCT_STATUSES,
  PRODUCT_UNITS,
} from "../../../protocol/vocabulary/catalog-vocabulary.js";
import type { ProductCategory, ProductStatus, ProductUnit } from "../../../protocol/vocabulary/catalog-vocabulary.js";

import { Farm } from "./Farm.js";

const oneOf = (column: string, values: readonly string[]) =>
  `${column} IN (${values.map((value) => `'${value}'`).join(", ")})`;

/**
 * Something a farm sells. Money is an integer number of minor units of `currency` (cents, paisa); stock is a whole
 * number of units and only changes together with a StockChange row (see stock-levels.ts for on hand and available). The full-text `search` column is kept by a
 * trigger from the name and description (English stemming for the shop's language, plus the words as written so any
 * language, Bengali included, matches); it is never loaded or written by the ORM.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const Product = defineEntity({
  name: "Product",
  tableName: "products",
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    farm: () => p.manyToOne(Farm),
    name: p.text(),
    description: p.text().defaultRaw("''"),
    category: p.text().$type<ProductCategory>(),
    unit: p.text().$type<ProductUnit>(),
    priceMinor: p.integer(),
    currency: p.text(),
    /** Available: what buyers can still reserve (on hand less what unpaid reservations and unshipped sales hold). */
    stock: p.integer(),
    /**
     * How many units of the open orders (unpaid reservations and paid, unshipped sales) the farmer's last count did
     * not find: they come out of the units those orders return before any goes back on sale.
     */
    stockShortfall: p.integer().default(0),
    status: p.text().$type<ProductStatus>(),
    search: p.string().columnType("tsvector").defaultRaw("''").lazy().hidden(),
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
  indexes: [
    { name: "products_search_index", properties: ["search"], type: "gin" },
    { name: "products_farm_id_created_at_id_index", properties: ["farm", "createdAt", "id"] },
    { name: "products_status_created_at_id_index", properties: ["status", "createdAt", "id"] },
    { name: "products_status_category_created_at_id_index", properties: ["status", "category", "createdAt", "id"] },
    { name: "products_status_price_minor_id_index", properties: ["status", "priceMinor", "id"] },
  ],
  triggers: [
    {
      name: "search_vector",
      timing: "before",
      events: ["insert", "update"],
      body: `NEW.search :=
        setweight(to_tsvector('english', NEW.name), 'A') || setweight(to_tsvector('simple', NEW.name), 'A') ||
        setweight(to_tsvector('english', NEW.description), 'B') ||
        setweight(to_tsvector('simple', NEW.description), 'C');
      RETURN NEW;`,
    },
  ],
  checks: [
    { name: "products_name_check", expression: "length(name) >= 1 AND length(name) <= 120" },
    { name: "products_category_check", expression: oneOf("category", PRODUCT_CATEGORIES) },
    { name: "products_unit_check", expression: oneOf("unit", PRODUCT_UNITS) },
    { name: "products_status_check", expression: oneOf("status", PRODUCT_STATUSES) },
    { name: "products_price_minor_check", expression: "price_minor > 0" },
    { name: "products_currency_check", expression: "currency ~ '^[A-Z]{3}$'" },
    { name: "products_stock_check", expression: "stock >= 0" },
    {
      name: "products_stock_shortfall_check",
      expression: "stock_shortfall >= 0 AND (stock_shortfall = 0 OR stock = 0)",
    },
  ],
});

export type Product = InferEntity<typeof Product>;
