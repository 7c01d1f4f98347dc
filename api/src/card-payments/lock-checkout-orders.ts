import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import { Order } from "../entities/Order.js";

/** The orders of a checkout, locked, oldest first. */
export function lockCheckoutOrders(tx: EntityManager, checkoutId: string): Promise<Order[]> {
  return tx.find(
    Order,
    { checkout: checkoutId },
    { populate: ["farm"], orderBy: { createdAt: "asc", id: "asc" }, lockMode: LockMode.PESSIMISTIC_WRITE },
  );
}
