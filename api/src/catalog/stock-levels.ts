import type { EntityManager } from "@mikro-orm/postgresql";
import type { z } from "zod";

import type { stockLevelsResponse } from "../../../protocol/api/products.js";

/**
 * A product's stock as its farmer sees it. `available` is what buyers can still reserve (the product's `stock`);
 * `held` is reserved by unpaid orders, which give it back when they expire or are cancelled; `awaitingShipment` is
 * sold (paid) and not shipped yet. `onHand` is what should be on the farm's shelf: all three, less `shortfall`, the
 * units those open orders hold that the farmer's last count did not find.
 */
export type StockLevels = z.input<typeof stockLevelsResponse>;

/** What open orders hold of a product: unpaid reservations, and sales waiting to be shipped. */
export interface OpenOrderUnits {
  held: number;
  awaitingShipment: number;
}

/** A product's stock columns: what is available, and the shortfall as stored (see `effectiveShortfall`). */
export interface StockColumns {
  stock: number;
  shortfall: number;
}

const NONE: OpenOrderUnits = { held: 0, awaitingShipment: 0 };

/**
 * What open orders hold of each product, read now. To be exact it must be read while holding the product's row lock:
 * every change of `held` (a checkout reserving, an order released) takes that lock, and a payment moves units from
 * `held` to `awaitingShipment` without changing their sum.
 */
export async function openOrderUnits(
  em: EntityManager,
  productIds: readonly string[],
): Promise<Map<string, OpenOrderUnits>> {
  const units = new Map<string, OpenOrderUnits>(productIds.map((id) => [id, NONE]));
  if (productIds.length === 0) return units;
  const rows = await em.execute<{ product_id: string; held: string; awaiting_shipment: string }[]>(
    `SELECT i.product_id,
            COALESCE(sum(i.quantity) FILTER (WHERE o.status = 'awaiting_payment'), 0) AS held,
            COALESCE(sum(i.quantity) FILTER (WHERE o.status = 'paid'), 0) AS awaiting_shipment
       FROM order_items i JOIN orders o ON o.id = i.order_id
      WHERE i.product_id IN (?) AND o.status IN ('awaiting_payment', 'paid')
      GROUP BY i.product_id`,
    [productIds],
  );
  for (const row of rows) {
    units.set(row.product_id, { held: Number(row.held), awaitingShipment: Number(row.awaiting_shipment) });
  }
  return units;
}

/**
 * The farmer's view of products' stock (one product's, or every product of a farm, oldest first), read in one
 * statement so the columns and what open orders hold come from the same moment.
 */
export async function readStockLevels(
  em: EntityManager,
  which: { productId: string } | { farmId: string },
): Promise<StockLevels[]> {
  const rows = await em.execute<
    { id: string; stock: number; stock_shortfall: number; held: string; awaiting_shipment: string }[]
  >(
    `SELECT p.id, p.stock, p.stock_shortfall, u.held, u.awaiting_shipment
       FROM products p
       CROSS JOIN LATERAL (
         SELECT COALESCE(sum(i.quantity) FILTER (WHERE o.status = 'awaiting_payment'), 0) AS held,
                COALESCE(sum(i.quantity) FILTER (WHERE o.status = 'paid'), 0) AS awaiting_shipment
           FROM order_items i JOIN orders o ON o.id = i.order_id
          WHERE i.product_id = p.id AND o.status IN ('awaiting_payment', 'paid')
       ) u
      WHERE ${"productId" in which ? "p.id = ?" : "p.farm_id = ?"}
      ORDER BY p.created_at, p.id`,
    ["productId" in which ? which.productId : which.farmId],
  );
  return rows.map((row) =>
    stockLevels(
      { id: row.id, stock: row.stock, stockShortfall: row.stock_shortfall },
      { held: Number(row.held), awaitingShipment: Number(row.awaiting_shipment) },
    ),
  );
}

/**
 * The shortfall that still counts: never more than open orders hold now. Orders that leave without coming back to
 * the shelf (shipped, refunded or disputed after payment) take their part of a stored shortfall with them.
 */
export function effectiveShortfall(stored: number, units: OpenOrderUnits): number {
  return Math.min(stored, units.held + units.awaitingShipment);
}

/**
 * Units coming onto the shelf's count (a restock) or back from an unpaid order that ended: they first make up the
 * shortfall, and only the rest goes back on sale. `current.shortfall` must be the effective one.
 */
export function addUnits(current: StockColumns, units: number): StockColumns {
  const covered = Math.min(current.shortfall, units);
  return { stock: current.stock + units - covered, shortfall: current.shortfall - covered };
}

/**
 * A farmer's count of what is on the shelf: what open orders hold is part of it, and the rest is available. A count
 * below what they hold is accepted as the truth: nothing is available, and the difference is the shortfall.
 */
export function countedStock(onHand: number, units: OpenOrderUnits): StockColumns {
  const committed = units.held + units.awaitingShipment;
  return onHand >= committed
    ? { stock: onHand - committed, shortfall: 0 }
    : { stock: 0, shortfall: committed - onHand };
}

/** The farmer's view of a product's stock, from its columns and what open orders hold of it. */
export function stockLevels(
  product: { id: string; stock: number; stockShortfall: number },
  units: OpenOrderUnits,
): StockLevels {
  const shortfall = effectiveShortfall(product.stockShortfall, units);
  return {
    productId: product.id,
    onHand: product.stock + units.held + units.awaitingShipment - shortfall,
    available: product.stock,
    held: units.held,
    awaitingShipment: units.awaitingShipment,
    shortfall,
  };
}
