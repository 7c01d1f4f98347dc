import type { z } from "zod";

import type { cartLine, cartView, farmGroup } from "../../../protocol/api/cart.js";
import type { ProductStatus, ProductUnit } from "../../../protocol/vocabulary/catalog-vocabulary.js";
import { computePlatformFee } from "../../../protocol/escrow/compute-platform-fee.js";
import type { PlatformFee } from "../checkout/read-platform-fee.js";

/** A cart line as stored, joined with its product's current state. */
export interface CartLineState {
  productId: string;
  name: string;
  unit: ProductUnit;
  currency: string;
  priceMinor: number;
  stock: number;
  status: ProductStatus;
  quantity: number;
  addedAt: Date;
  farm: { id: string; name: string; slug: string };
}

/**
 * Why a line cannot be bought as it stands: its product is no longer on sale (draft or archived), it is priced in
 * another currency than the rest of the cart, or the stock fell below the quantity.
 */
export type CartLineProblem = NonNullable<CartLineView["problem"]>;

export type CartLineView = z.input<typeof cartLine>;

export type CartFarmGroupView = z.input<typeof farmGroup>;

export type CartView = z.input<typeof cartView>;

/**
 * The currency a cart is in: that of its earliest line whose product is on sale, or null when there is none.
 * `lines` must be in the order they were added.
 */
export function cartCurrency(lines: readonly Pick<CartLineState, "currency" | "status">[]): string | null {
  return lines.find((line) => line.status === "active")?.currency ?? null;
}

/**
 * The cart as the buyer sees it: lines grouped by farm (groups and lines in the order they were first added), each
 * group's subtotal and the platform fee on it, and the total the buyer pays. All money is integer minor units,
 * computed with bigint. Lines with a problem are listed and flagged but count in no total. The fee is the escrow's,
 * per farm (one escrow order per farm), rounded down to the minor unit, and included in the total: it comes out of
 * what the farm receives. `lines` must be in the order they were added.
 */
export function buildCartView(lines: readonly CartLineState[], platformFee: PlatformFee): CartView {
  const currency = cartCurrency(lines);
  const groups = new Map<string, { view: CartFarmGroupView; subtotal: bigint }>();
  let total = 0n;
  let fee = 0n;
  let itemCount = 0;
  let problems = 0;

  for (const line of lines) {
    const problem = lineProblem(line, currency);
    const lineTotal = BigInt(line.priceMinor) * BigInt(line.quantity);
    let group = groups.get(line.farm.id);
    if (group === undefined) {
      group = {
        view: { farm: line.farm, lines: [], subtotalMinor: 0, platformFeeMinor: null, farmReceivesMinor: null },
        subtotal: 0n,
      };
      groups.set(line.farm.id, group);
    }
    group.view.lines.push({
      productId: line.productId,
      name: line.name,
      unit: line.unit,
      currency: line.currency,
      unitPriceMinor: line.priceMinor,
      quantity: line.quantity,
      lineTotalMinor: toSafeMinor(lineTotal),
      stock: line.stock,
      problem,
      addedAt: line.addedAt.toISOString(),
    });
    if (problem === null) {
      group.subtotal += lineTotal;
      itemCount += line.quantity;
    } else {
      problems += 1;
    }
  }

  for (const group of groups.values()) {
    group.view.subtotalMinor = toSafeMinor(group.subtotal);
    total += group.subtotal;
    if (platformFee.status === "known") {
      const groupFee = computePlatformFee(group.subtotal, platformFee.feeBps);
      fee += groupFee;
      group.view.platformFeeMinor = toSafeMinor(groupFee);
      group.view.farmReceivesMinor = toSafeMinor(group.subtotal - groupFee);
    }
  }

  return {
    currency,
    groups: [...groups.values()].map((group) => group.view),
    platformFee,
    totalMinor: toSafeMinor(total),
    platformFeeMinor: platformFee.status === "known" ? toSafeMinor(fee) : null,
    lineCount: lines.length,
    itemCount,
    checkoutReady: lines.length > 0 && problems === 0,
  };
}

function lineProblem(line: CartLineState, currency: string | null): CartLineProblem | null {
  if (line.status !== "active") return "not_on_sale";
  if (line.currency !== currency) return "currency_mismatch";
  if (line.stock < line.quantity) return "insufficient_stock";
  return null;
}

/**
 * Invariant: cart limits (integer prices below 2^31, at most MAX_LINE_QUANTITY per line and MAX_CART_LINES lines)
 * keep every amount far below 2^53, so it is exact as a JSON number. A larger one would be a bug, never rounded.
 */
function toSafeMinor(amount: bigint): number {
  if (amount > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`amount ${amount} exceeds the exact range`);
  return Number(amount);
}
