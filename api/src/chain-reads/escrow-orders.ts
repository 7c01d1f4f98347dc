import type { EntityManager } from "@mikro-orm/postgresql";

import type { EscrowOrderState } from "../../../protocol/escrow/order-state.js";

/** An escrow order's parties, state and current deadline (Unix seconds, as IMarketplaceEscrow.OrderView.deadline). */
export interface EscrowOrderRow {
  order_id: string;
  ref: string;
  buyer: string;
  seller: string;
  state: EscrowOrderState;
  deadline: string;
  fee_bps: number;
}

/** An escrow order no API order is linked to and no flag judged, with the block time and log of its creation. */
export interface UnjudgedEscrowOrderRow {
  order_id: string;
  ref: string;
  buyer: string;
  seller: string;
  token: string;
  amount: string;
  fee_bps: number;
  created_tx: string;
  created_block: string;
  created_log_index: number;
  created_at_unix: string;
}

const ESCROW_ORDER_COLUMNS = `order_id::text AS order_id, ref, buyer, seller, state, deadline::text AS deadline, fee_bps`;

/**
 * Whether the indexer's escrow tables exist in this database. Reads inside a transaction the caller goes on with
 * check this first: a statement over a missing table would abort the transaction.
 */
export async function escrowOrdersIndexed(em: EntityManager): Promise<boolean> {
  const [{ indexed }] = await em.execute<{ indexed: boolean }[]>(
    "SELECT to_regclass('indexer.escrow_orders') IS NOT NULL AS indexed",
  );
  return indexed;
}

/** The escrow order `escrowOrderId` of the chain, if it still carries `ref` (after a reorg the id may be another's). */
export async function findEscrowOrder(
  em: EntityManager,
  chainId: number,
  escrowOrderId: string,
  ref: string | null | undefined,
): Promise<EscrowOrderRow | undefined> {
  const [row] = await em.execute<EscrowOrderRow[]>(
    `SELECT ${ESCROW_ORDER_COLUMNS} FROM indexer.escrow_orders WHERE chain_id = ? AND order_id::text = ? AND ref = ?`,
    [chainId, escrowOrderId, ref],
  );
  return row;
}

/** The chain's escrow orders with these ids, whatever ref they carry (the caller matches refs). */
export async function listEscrowOrders(
  em: EntityManager,
  chainId: number,
  escrowOrderIds: readonly string[],
): Promise<EscrowOrderRow[]> {
  return em.execute<EscrowOrderRow[]>(
    `SELECT ${ESCROW_ORDER_COLUMNS} FROM indexer.escrow_orders WHERE chain_id = ? AND order_id IN (?)`,
    [chainId, escrowOrderIds],
  );
}

/** The chain's escrow orders nobody judged yet: neither linked to an order (by id and ref) nor flagged. */
export async function listUnjudgedEscrowOrders(em: EntityManager, chainId: number): Promise<UnjudgedEscrowOrderRow[]> {
  return em.execute<UnjudgedEscrowOrderRow[]>(
    `SELECT e.order_id::text AS order_id, e.ref, e.buyer, e.seller, e.token, e.amount::text AS amount, e.fee_bps,
            e.created_tx, e.created_block::text AS created_block, h.log_index AS created_log_index,
            h.block_timestamp::text AS created_at_unix
       FROM indexer.escrow_orders e
       JOIN indexer.escrow_order_history h
         ON h.chain_id = e.chain_id AND h.order_id = e.order_id AND h.event_name = 'OrderCreated'
      WHERE e.chain_id = ?
        AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.escrow_order_id = e.order_id::text AND o.escrow_ref = e.ref)
        AND NOT EXISTS (
          SELECT 1 FROM order_flags f
           WHERE f.source_key LIKE 'escrow:' || e.chain_id || ':' || e.order_id || ':' || e.ref || ':%')
      ORDER BY e.order_id`,
    [chainId],
  );
}

/**
 * For each of `orderIds` that has one, the first escrow order carrying its ref that one of its buyer's linked wallets
 * created and the linker has not judged yet (not the order's own payment, not flagged): a payment on its way.
 */
export async function listUnjudgedPaymentsOf(
  em: EntityManager,
  chainId: number,
  orderIds: readonly string[],
): Promise<{ id: string; escrow_order_id: string }[]> {
  return em.execute<{ id: string; escrow_order_id: string }[]>(
    `SELECT o.id, min(e.order_id)::text AS escrow_order_id
       FROM orders o
       JOIN wallets w ON w.user_id = o.buyer_id
       JOIN indexer.escrow_orders e ON e.chain_id = ? AND e.ref = o.escrow_ref AND e.buyer = w.address
      WHERE o.id IN (?)
        AND o.escrow_order_id IS DISTINCT FROM e.order_id::text
        AND NOT EXISTS (
          SELECT 1 FROM order_flags f
           WHERE f.source_key LIKE 'escrow:' || e.chain_id || ':' || e.order_id || ':' || e.ref || ':%')
      GROUP BY o.id`,
    [chainId, orderIds],
  );
}

/** Orders linked to an escrow order (by id and ref) the chain no longer has: a reorg took its creation back. */
export async function listOrdersOfVanishedEscrowOrders(em: EntityManager, chainId: number): Promise<{ id: string }[]> {
  return em.execute<{ id: string }[]>(
    `SELECT o.id FROM orders o
      WHERE o.escrow_order_id IS NOT NULL
        AND NOT EXISTS (
          SELECT 1 FROM indexer.escrow_orders e
           WHERE e.chain_id = ? AND e.order_id::text = o.escrow_order_id AND e.ref = o.escrow_ref)`,
    [chainId],
  );
}

/** The ids of the linker's flags on escrow orders of the chain that a reorg took back. */
export async function listFlagsOfVanishedEscrowOrders(em: EntityManager, chainId: number): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `SELECT f.id::text AS id FROM order_flags f
      WHERE f.source_key LIKE 'escrow:' || ? || ':%'
        AND NOT EXISTS (
          SELECT 1 FROM indexer.escrow_orders e
           WHERE e.chain_id = ? AND e.order_id::text = f.details->>'escrowOrderId' AND e.ref = f.details->>'ref')`,
    [chainId, chainId],
  );
  return rows.map((row) => row.id);
}
