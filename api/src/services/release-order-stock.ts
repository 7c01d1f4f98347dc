import type { EntityManager } from "@mikro-orm/postgresql";

import type { Order } from "../entities/Order.js";
import { OrderEvent } from "../entities/OrderEvent.js";
import { OrderItem } from "../entities/OrderItem.js";
import { Product } from "../entities/Product.js";
import { StockChange } from "../entities/StockChange.js";
import { User } from "../entities/User.js";

/**
 * Ends an unpaid order (`cancelled` by its buyer, or `expired` by the reservation job) and returns its reserved stock,
 * each product with a `released` StockChange row, and records the event on its timeline. The caller holds the
 * order's row lock and has checked it is awaiting payment; everything commits with the caller's transaction.
 */
export async function releaseOrderStock(
  tx: EntityManager,
  order: Order,
  outcome: { status: "cancelled" | "expired"; actorId: string | null; at: Date },
): Promise<void> {
  const items = await tx.find(OrderItem, { order: order.id }, { orderBy: { product: "asc" } });
  const actor = outcome.actorId === null ? null : tx.getReference(User, outcome.actorId);
  for (const item of items) {
    const [row] = await tx.execute<{ stock: number }[]>(
      "UPDATE products SET stock = stock + ?, updated_at = now() WHERE id = ? RETURNING stock",
      [item.quantity, item.product.id],
    );
    tx.create(StockChange, {
      product: tx.getReference(Product, item.product.id),
      delta: item.quantity,
      stockAfter: row.stock,
      reason: "released",
      note: `order ${order.id} ${outcome.status}`,
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
