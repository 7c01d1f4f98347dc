import type { EntityManager } from "@mikro-orm/postgresql";

import { ProductNotOnSaleError } from "../cart/cart-errors.js";
import type { CartItem } from "../entities/CartItem.js";
import { Product } from "../entities/Product.js";
import { StockChange } from "../entities/StockChange.js";
import type { User } from "../entities/User.js";
import { CheckoutStockError, StockShareExceededError } from "./checkout-errors.js";
import type { StockShareExcess, StockShortage } from "./checkout-errors.js";

/** The most units of a product a buyer may hold unpaid: a share of those on sale plus their own, never below one. */
function allowedHolding(stock: number, held: number, sharePercent: number): number {
  return Math.max(1, Math.floor(((stock + held) * sharePercent) / 100));
}

/**
 * Reserves the stock of every cart line of a checkout, in the caller's transaction, with conditional UPDATEs: a line
 * is reserved only while the product is on sale, has the units, and the buyer's unpaid units of it (`held`, plus the
 * line) stay within `maxStockSharePercent` of its units (see allowedHolding). Each reservation is a `reserved`
 * StockChange. Any line that fails fails them all: shortages are reported first (409 insufficient_stock), then
 * shares exceeded (409 stock_share_exceeded).
 */
export async function reserveCheckoutStock(
  tx: EntityManager,
  reservation: {
    checkoutId: string;
    buyer: User;
    lines: readonly CartItem[];
    /** Units of each product the buyer already holds in orders awaiting payment, by product id. */
    held: ReadonlyMap<string, number>;
    maxStockSharePercent: number;
  },
): Promise<void> {
  // Products in id order, so two checkouts sharing products lock their rows in the same order (no deadlock).
  const shortages: StockShortage[] = [];
  const excesses: StockShareExcess[] = [];
  for (const line of [...reservation.lines].sort((a, b) => (a.product.id < b.product.id ? -1 : 1))) {
    const heldNow = reservation.held.get(line.product.id) ?? 0;
    // The share's bound restates allowedHolding in SQL (integer division floors, as the units are not negative).
    const rows = await tx.execute<{ stock: number }[]>(
      `UPDATE products SET stock = stock - ?, updated_at = now()
        WHERE id = ? AND status = 'active' AND stock >= ?
          AND ?::int + ?::int <= GREATEST(1, (stock + ?::bigint) * ?::int / 100)
        RETURNING stock`,
      [
        line.quantity,
        line.product.id,
        line.quantity,
        heldNow,
        line.quantity,
        heldNow,
        reservation.maxStockSharePercent,
      ],
    );
    if (rows.length === 0) {
      const [current] = await tx.execute<{ stock: number; status: string }[]>(
        "SELECT stock, status FROM products WHERE id = ?",
        [line.product.id],
      );
      if (current.status !== "active") throw new ProductNotOnSaleError(line.product.id, current.status);
      if (current.stock < line.quantity) {
        shortages.push({
          productId: line.product.id,
          name: line.product.name,
          requested: line.quantity,
          available: current.stock,
        });
      } else {
        excesses.push({
          productId: line.product.id,
          name: line.product.name,
          requested: line.quantity,
          held: heldNow,
          allowed: allowedHolding(current.stock, heldNow, reservation.maxStockSharePercent),
        });
      }
      continue;
    }
    tx.create(StockChange, {
      product: tx.getReference(Product, line.product.id),
      delta: -line.quantity,
      stockAfter: rows[0].stock,
      reason: "reserved",
      note: `checkout ${reservation.checkoutId}`,
      actor: reservation.buyer,
    });
  }
  if (shortages.length > 0) throw new CheckoutStockError(shortages);
  if (excesses.length > 0) throw new StockShareExceededError(reservation.maxStockSharePercent, excesses);
}
