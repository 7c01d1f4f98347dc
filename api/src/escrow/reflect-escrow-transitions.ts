import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import { Order } from "../entities/Order.js";
import type { OrderEventKind, OrderStatus } from "../order-vocabulary.js";
import { chainSourceKey } from "./chain-source-key.js";
import type { EscrowOrderLinkerDeps } from "./escrow-order-linker.js";
import { followEscrowTransition } from "./follow-escrow-transition.js";

/** One row of the indexer's escrow order history, joined with the API order it belongs to. */
export interface IndexedTransition {
  order_id: string;
  api_order_id: string;
  event_name: string;
  block_number: string;
  block_timestamp: string;
  tx_hash: string;
  log_index: number;
  details: Record<string, unknown>;
}

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
  const rows = await em.execute<IndexedTransition[]>(
    `SELECT h.order_id::text AS order_id, o.id AS api_order_id, h.event_name, h.block_number::text AS block_number,
            h.block_timestamp::text AS block_timestamp, h.tx_hash, h.log_index, h.details
       FROM indexer.escrow_order_history h
       JOIN orders o ON o.escrow_order_id = h.order_id::text
      WHERE h.chain_id = ? AND h.event_name <> 'OrderCreated'
        AND NOT EXISTS (
          SELECT 1 FROM order_events ev
           WHERE ev.source_key = 'chain:' || h.chain_id || ':' || h.tx_hash || ':' || h.log_index)
      ORDER BY h.block_number, h.log_index`,
    [chainId],
  );
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
