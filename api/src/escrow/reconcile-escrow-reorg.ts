import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import { listOrderEventsOfVanishedLogs } from "../chain-reads/escrow-order-history.js";
import {
  findEscrowOrder,
  listFlagsOfVanishedEscrowOrders,
  listOrdersOfVanishedEscrowOrders,
} from "../chain-reads/escrow-orders.js";
import { Order } from "../entities/Order.js";
import type { OrderStatus } from "../../../protocol/vocabulary/order-vocabulary.js";

/** The order status each escrow state stands for. */
const STATUS_OF_STATE: Record<string, OrderStatus> = {
  Funded: "paid",
  Shipped: "shipped",
  Completed: "delivered",
  Refunded: "refunded",
  Disputed: "disputed",
  Resolved: "resolved",
};

/** EscrowOrderLinker.reconcileReorg, once the indexer's tables are known to exist. */
export async function reconcileEscrowReorg(chainId: number, em: EntityManager): Promise<number> {
  return em.transactional(async (tx) => {
    const vanishedEvents = await listOrderEventsOfVanishedLogs(tx, chainId);
    const removedEvents =
      vanishedEvents.length === 0
        ? []
        : await tx.execute<{ order_id: string }[]>("DELETE FROM order_events WHERE id IN (?) RETURNING order_id", [
            vanishedEvents,
          ]);
    const vanishedFlags = await listFlagsOfVanishedEscrowOrders(tx, chainId);
    if (vanishedFlags.length > 0) await tx.execute("DELETE FROM order_flags WHERE id IN (?)", [vanishedFlags]);
    const vanished = await listOrdersOfVanishedEscrowOrders(tx, chainId);
    const touched = new Set([...removedEvents.map((row) => row.order_id), ...vanished.map((row) => row.id)]);
    let changed = 0;
    for (const id of touched) {
      const order = await tx.findOneOrFail(Order, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const escrow =
        order.escrowOrderId == null
          ? undefined
          : await findEscrowOrder(tx, chainId, order.escrowOrderId, order.escrowRef);
      // An order whose stock was released (a payment linked late) keeps that status while its escrow order is
      // merely funded, and goes back to it, not to awaiting payment, when the payment vanishes.
      const [released] = await tx.execute<{ kind: "cancelled" | "expired" }[]>(
        "SELECT kind FROM order_events WHERE order_id = ? AND kind IN ('cancelled', 'expired') ORDER BY id LIMIT 1",
        [order.id],
      );
      if (escrow === undefined && order.escrowOrderId != null) {
        order.escrowOrderId = null;
        order.paidAt = null;
        order.status = released?.kind ?? "awaiting_payment";
      } else if (escrow !== undefined) {
        order.status =
          escrow.state === "Funded" && released !== undefined
            ? released.kind
            : (STATUS_OF_STATE[escrow.state] ?? order.status);
      } else if (order.status !== "awaiting_payment") {
        continue;
      }
      changed += 1;
    }
    await tx.flush();
    return changed;
  });
}
