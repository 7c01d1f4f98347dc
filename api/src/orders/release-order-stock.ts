import type { EntityManager } from "@mikro-orm/postgresql";

import { addUnits, effectiveShortfall, openOrderUnits } from "../catalog/stock-levels.js";
import type { Order } from "../entities/Order.js";
import { OrderEvent } from "../entities/OrderEvent.js";
import { OrderItem } from "../entities/OrderItem.js";
import { Product } from "../entities/Product.js";
import { StockChange } from "../entities/StockChange.js";
import { User } from "../entities/User.js";

/**
 * Ends an unpaid order (`cancelled` by its buyer, or `expired` by the reservation job) and returns its reserved stock,
 * each product with a `released` StockChange row, and records the event on its timeline. Returned units make up the
 * product's shortfall first (a farmer's count found fewer than open orders held: see stock-levels.ts), so what is
 * on hand stays what the farmer counted. The caller holds the order's row lock and has checked it is awaiting
 * payment; everything commits with the caller's transaction.
 */
export async function releaseOrderStock(
  tx: EntityManager,
  order: Order,
  outcome: { status: "cancelled" | "expired"; actorId: string | null; at: Date },
): Promise<void> {
  const items = await tx.find(OrderItem, { order: order.id }, { orderBy: { product: "asc" } });
  const actor = outcome.actorId === null ? null : tx.getReference(User, outcome.actorId);
  for (const item of items) {
    const { stockBefore, stockAfter } = await returnUnits(tx, item.product.id, item.quantity);
    tx.create(StockChange, {
      product: tx.getReference(Product, item.product.id),
      delta: stockAfter - stockBefore,
      stockAfter,
      reason: "released",
      note:
        stockAfter - stockBefore === item.quantity
          ? `order ${order.id} ${outcome.status}`
          : `order ${order.id} ${outcome.status}; ${item.quantity - (stockAfter - stockBefore)} made up the shortfall`,
      actor,
    });
  }
  order.status = outcome.status;
  tx.create(OrderEvent, {
    order,
    kind: outcome.status,
    occurredAt: outcome.at,
    actor,
    data: { releasedItems: items.length },
    sourceKey: `api:order:${order.id}:${outcome.status}`,
  });
  await tx.flush();
}

/**
 * Gives `units` of a product back to what is available, making up its shortfall first, under the product's row lock.
 * Runs while the order still counts as holding them (it is still awaiting payment in the database).
 */
async function returnUnits(
  tx: EntityManager,
  productId: string,
  units: number,
): Promise<{ stockBefore: number; stockAfter: number }> {
  // Nearly always there is no shortfall: one statement, whose row lock keeps a concurrent count from slipping between.
  const [plain] = await tx.execute<{ stock: number }[]>(
    "UPDATE products SET stock = stock + ?, updated_at = now() WHERE id = ? AND stock_shortfall = 0 RETURNING stock",
    [units, productId],
  );
  if (plain !== undefined) return { stockBefore: plain.stock - units, stockAfter: plain.stock };
  const [row] = await tx.execute<{ stock: number; stock_shortfall: number }[]>(
    "SELECT stock, stock_shortfall FROM products WHERE id = ? FOR UPDATE",
    [productId],
  );
  const held = (await openOrderUnits(tx, [productId])).get(productId)!;
  const after = addUnits({ stock: row.stock, shortfall: effectiveShortfall(row.stock_shortfall, held) }, units);
  await tx.execute("UPDATE products SET stock = ?, stock_shortfall = ?, updated_at = now() WHERE id = ?", [
    after.stock,
    after.shortfall,
    productId,
  ]);
  return { stockBefore: row.stock, stockAfter: after.stock };
}
