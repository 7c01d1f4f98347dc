import { z } from "zod";

import { BPS } from "../escrow/basis-points.js";
import { PRODUCT_UNITS } from "../vocabulary/catalog-vocabulary.js";

/** The most units of one product a cart line may hold. */
export const MAX_LINE_QUANTITY = 10_000;

const minor = z.number().int().nonnegative();

export const cartItemParams = z.object({ productId: z.uuid() });

export const setQuantityBody = z.object({
  quantity: z
    .number()
    .int()
    .min(1)
    .max(MAX_LINE_QUANTITY)
    .describe("Units of the product wanted; remove a line with DELETE rather than a quantity of 0"),
});

export const cartLine = z.object({
  productId: z.uuid(),
  name: z.string(),
  unit: z.enum(PRODUCT_UNITS),
  currency: z.string(),
  unitPriceMinor: minor.describe("The product's current price, in minor units of its currency"),
  quantity: z.number().int().positive(),
  lineTotalMinor: minor.describe("unitPriceMinor × quantity"),
  stock: z.number().int().nonnegative().describe("Units in stock now"),
  problem: z
    .enum(["not_on_sale", "currency_mismatch", "insufficient_stock"])
    .nullable()
    .describe("Why the line cannot be bought as it stands (it then counts in no total), or null"),
  addedAt: z.iso.datetime(),
});

export const farmGroup = z.object({
  farm: z.object({ id: z.uuid(), name: z.string(), slug: z.string() }),
  lines: z.array(cartLine),
  subtotalMinor: minor.describe("Sum of the group's lines without a problem"),
  platformFeeMinor: minor
    .nullable()
    .describe("floor(subtotalMinor × feeBps / 10000), as the escrow rounds; null while the fee is unknown"),
  farmReceivesMinor: minor.nullable().describe("subtotalMinor − platformFeeMinor; null while the fee is unknown"),
});

const platformFee = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("known"),
    chainId: z.number().int(),
    feeBps: z.number().int().min(0).max(BPS).describe("Basis points of what each farm receives"),
    sinceOrderId: z.string().describe("The first escrow order these terms applied to"),
  }),
  z.object({ status: z.literal("unknown"), chainId: z.number().int(), reason: z.string() }),
]);

export const cartView = z.object({
  currency: z.string().nullable().describe("The currency of every amount; null for a cart with nothing on sale"),
  groups: z.array(farmGroup).describe("One group per farm (one escrow order each), in the order first added"),
  platformFee,
  totalMinor: minor.describe("What the buyer pays: the sum of the group subtotals, platform fee included"),
  platformFeeMinor: minor.nullable().describe("Sum of the groups' fees; null while the fee is unknown"),
  lineCount: z.number().int().nonnegative(),
  itemCount: z.number().int().nonnegative().describe("Units in the lines without a problem"),
  checkoutReady: z.boolean().describe("The cart has lines and none has a problem"),
});

export const mergeResponse = z.object({
  cart: cartView,
  merge: z.object({
    anonymousCartFound: z.boolean(),
    lines: z.array(
      z.object({
        productId: z.uuid(),
        anonymousQuantity: z.number().int().positive(),
        quantityBefore: z.number().int().nonnegative(),
        quantityAfter: z.number().int().nonnegative(),
        outcome: z.enum(["added", "capped", "not_on_sale", "currency_mismatch", "cart_full"]),
      }),
    ),
  }),
});

export type Cart = z.infer<typeof cartView>;
export type CartGroup = z.infer<typeof farmGroup>;
export type CartLine = z.infer<typeof cartLine>;
