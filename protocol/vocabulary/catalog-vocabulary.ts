/** The shop's product categories; a closed list so filters and translations stay in step with the data. */
export const PRODUCT_CATEGORIES = [
  "vegetables",
  "fruits",
  "grains",
  "pulses",
  "dairy",
  "eggs",
  "meat",
  "fish",
  "honey",
  "herbs",
  "spices",
  "oils",
  "other",
] as const;
export type ProductCategory = (typeof PRODUCT_CATEGORIES)[number];

/** The units a product is sold by. */
export const PRODUCT_UNITS = ["kg", "g", "litre", "piece", "dozen", "bunch", "bag"] as const;
export type ProductUnit = (typeof PRODUCT_UNITS)[number];

/** Draft: only its farm sees it. Active: on sale. Archived: kept for past orders, no longer listed or sellable. */
export const PRODUCT_STATUSES = ["draft", "active", "archived"] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

/** Why a product's stock changed; every change is recorded with who made it. */
export const STOCK_CHANGE_REASONS = ["created", "restock", "correction", "reserved", "released", "sold"] as const;
export type StockChangeReason = (typeof STOCK_CHANGE_REASONS)[number];

/** How a product listing can be ordered: newest first, by price either way, or by relevance to a search query. */
export const PRODUCT_SORTS = ["newest", "price_asc", "price_desc", "relevance"] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];
