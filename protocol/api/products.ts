import { z } from "zod";

import {
  PRODUCT_CATEGORIES,
  PRODUCT_SORTS,
  PRODUCT_STATUSES,
  PRODUCT_UNITS,
  STOCK_CHANGE_REASONS,
} from "../vocabulary/catalog-vocabulary.js";
import { farmSlug, photoUrlsResponse } from "./farms.js";

/** Prices are integer minor units (cents) of the shop currency; the ceiling keeps sums of an order far inside int32. */
const MAX_PRICE_MINOR = 100_000_000;
const MAX_STOCK = 1_000_000;

const priceMinor = z.number().int().min(1).max(MAX_PRICE_MINOR);

export const productIdParams = z.object({ id: z.uuid() });

export const createProductBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  description: z.string().trim().max(5_000).default(""),
  category: z.enum(PRODUCT_CATEGORIES),
  unit: z.enum(PRODUCT_UNITS),
  priceMinor,
  stock: z.number().int().min(0).max(MAX_STOCK),
  status: z.enum(["draft", "active"]).default("draft"),
});

export const updateProductBody = z
  .strictObject({
    name: z.string().trim().min(1).max(120).optional(),
    description: z.string().trim().max(5_000).optional(),
    category: z.enum(PRODUCT_CATEGORIES).optional(),
    unit: z.enum(PRODUCT_UNITS).optional(),
    priceMinor: priceMinor.optional(),
    /** `archived` takes the product off sale for good while keeping it for past orders. */
    status: z.enum(PRODUCT_STATUSES).optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    error: "expected at least one field to change (stock changes go to /stock)",
  });

export const adjustStockBody = z.discriminatedUnion("reason", [
  z.strictObject({
    reason: z.literal("restock"),
    quantity: z.number().int().min(1).max(MAX_STOCK),
    note: z.string().trim().max(500).optional(),
  }),
  z.strictObject({
    reason: z.literal("correction"),
    /** What is on hand as counted, units held by unpaid reservations and sold but unshipped ones included. */
    stock: z.number().int().min(0).max(MAX_STOCK),
    note: z.string().trim().min(1).max(500),
  }),
]);

export const listProductsQuery = z
  .object({
    q: z
      .string()
      .trim()
      .max(200)
      .transform((text) => text.replace(/\s+/g, " "))
      .optional(),
    category: z.enum(PRODUCT_CATEGORIES).optional(),
    region: z.string().trim().min(1).max(80).optional(),
    farm: farmSlug.optional(),
    /** Bounds on the price in minor units, inclusive. */
    minPrice: z.coerce.number().int().min(0).optional(),
    maxPrice: z.coerce.number().int().min(0).optional(),
    sort: z.enum(PRODUCT_SORTS).optional(),
    /** Draft or archived listings are for a farm's owner only, with `farm` naming it. */
    status: z.enum(PRODUCT_STATUSES).default("active"),
    cursor: z.string().max(400).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(24),
  })
  .refine((query) => query.minPrice === undefined || query.maxPrice === undefined || query.minPrice <= query.maxPrice, {
    error: "minPrice must not exceed maxPrice",
    path: ["minPrice"],
  })
  .refine((query) => query.sort !== "relevance" || (query.q ?? "") !== "", {
    error: "relevance needs a search query q",
    path: ["sort"],
  })
  .refine((query) => query.status === "active" || query.farm !== undefined, {
    error: "listing drafts or archived products needs farm (your own)",
    path: ["status"],
  });

const productFarm = z.object({ id: z.uuid(), slug: z.string(), name: z.string(), region: z.string() });

export const productSummaryResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  category: z.enum(PRODUCT_CATEGORIES),
  unit: z.enum(PRODUCT_UNITS),
  priceMinor: z.number().int(),
  currency: z.string(),
  stock: z.number().int(),
  status: z.enum(PRODUCT_STATUSES),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  farm: productFarm,
  cover: photoUrlsResponse.nullable(),
});

export const productPhotoResponse = photoUrlsResponse.extend({
  id: z.uuid(),
  position: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
});

export const productResponse = productSummaryResponse.extend({ photos: z.array(productPhotoResponse) });

export const productListResponse = z.object({
  products: z.array(productSummaryResponse),
  nextCursor: z.string().nullable(),
});

export const stockHistoryQuery = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const stockChangeResponse = z.object({
  id: z.number().int(),
  delta: z.number().int(),
  stockAfter: z.number().int(),
  reason: z.enum(STOCK_CHANGE_REASONS),
  note: z.string().nullable(),
  actorId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
});

export const stockHistoryResponse = z.object({
  changes: z.array(stockChangeResponse),
  /** Pass as `before` for the next page. */
  nextBefore: z.number().int().nullable(),
});

const units = z.number().int().min(0);

export const stockLevelsResponse = z
  .object({
    productId: z.uuid(),
    onHand: units.describe("What should be on the shelf: available + held + awaitingShipment - shortfall"),
    available: units.describe("What buyers can still reserve: the product's `stock`"),
    held: units.describe(
      "Reserved by unpaid orders; back to available (or the shortfall) if they expire or are cancelled",
    ),
    awaitingShipment: units.describe("Sold (paid) and not shipped yet"),
    shortfall: units.describe("What open orders hold that the farmer's last count did not find"),
  })
  .describe("A product's stock as its farmer sees it");

export const farmStockResponse = z.object({ products: z.array(stockLevelsResponse) });

export const adjustStockResponse = z.object({
  /** What is available after the change (as `levels.available`). */
  stock: z.number().int(),
  change: stockChangeResponse,
  levels: stockLevelsResponse,
});

export type ProductSummary = z.infer<typeof productSummaryResponse>;
export type ProductPhoto = z.infer<typeof productPhotoResponse>;
export type Product = z.infer<typeof productResponse>;
export type ProductPage = z.infer<typeof productListResponse>;
export type StockLevels = z.infer<typeof stockLevelsResponse>;
export type FarmStock = z.infer<typeof farmStockResponse>;
