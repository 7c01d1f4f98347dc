import type { EntityManager } from "@mikro-orm/postgresql";

import { findUsersWithRole } from "../accounts/find-users-with-role.js";
import { Farm } from "../entities/Farm.js";
import type { Order } from "../entities/Order.js";

/** Who hears of a change to an order's dispute: its buyer, its farm's owner, and every arbiter (each once). */
export async function disputeAudience(tx: EntityManager, order: Order): Promise<string[]> {
  const farm = await tx.findOneOrFail(Farm, { id: order.farm.id }, { fields: ["owner"] });
  const arbiters = await findUsersWithRole(tx, "arbiter");
  return [...new Set([order.buyer.id, farm.owner.id, ...arbiters])];
}
