import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import { listUnrecordedEscrowTransitions } from "../chain-reads/escrow-order-history.js";
import { Order } from "../entities/Order.js";
import type { OrderEventKind, OrderStatus } from "../../../protocol/vocabulary/order-vocabulary.js";
import { chainSourceKey } from "./chain-source-key.js";
import type { EscrowOrderLinkerDeps } from "./escrow-order-linker.js";
import { followEscrowTransition } from "./follow-escrow-transition.js";

/** How each indexed escrow event after creation shows on the order: its timeline entry and, if any, its new status. */
const TRANSITIONS: Record<string, { kind: OrderEventKind; status: OrderStatus | null }> = {
  OrderShipped: { kind: "shipped", status: "shipped" },
  OrderCompleted: { kind: "delivered", status: "delivered" },
  OrderRefunded: { kind: "refunded", status: "refunded" },
  OrderDisputed: { kind: "disputed", status: "disputed" },
  SettlementProposed: { kind: "settlement_proposed", status: null },
  OrderResolved: { kind: "resolved", status: "resolved" },
};

/** Records every later transition of a linked escrow order not recorded yet: the order's status and timeline, each log once. */
export async function reflectEscrowTransitions(
  deps: Pick<EscrowOrderLinkerDeps, "chainId" | "notifications">,
  em: EntityManager,
): Promise<number> {
  const { chainId, notifications } = deps;
  const rows = await listUnrecordedEscrowTransitions(em, chainId);
  let recorded = 0;
  for (const row of rows) {
    const transition = TRANSITIONS[row.event_name];
    if (transition === undefined) continue;
    const applied = await notifications.transaction(em, async (tx, notify) => {
      const order = await tx.findOneOrFail(Order, { id: row.api_order_id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const inserted = await tx.execute<{ id: string }[]>(
        `INSERT INTO order_events (order_id, kind, occurred_at, data, source_key) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (source_key) DO NOTHING RETURNING id`,
        [
          order.id,
          transition.kind,
          new Date(Number(row.block_timestamp) * 1000),
          JSON.stringify({
            escrowOrderId: row.order_id,
            event: row.event_name,
            txHash: row.tx_hash,
            logIndex: row.log_index,
            blockNumber: row.block_number,
            ...row.details,
          }),
          chainSourceKey(chainId, row.tx_hash, row.log_index),
        ],
      );
      // Recorded by another run already: so were its status and its notifications.
      if (inserted.length === 0) return false;
      if (transition.status !== null) order.status = transition.status;
      await tx.flush();
      await followEscrowTransition(tx, notify, order, row);
      return true;
    });
    if (applied) recorded += 1;
  }
  return recorded;
}
