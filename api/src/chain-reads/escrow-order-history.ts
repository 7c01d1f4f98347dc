import type { EntityManager } from "@mikro-orm/postgresql";

/** One indexed transition of an escrow order after its creation, with the API order linked to the escrow order. */
export interface EscrowTransitionRow {
  order_id: string;
  api_order_id: string;
  event_name: string;
  block_number: string;
  block_timestamp: string;
  tx_hash: string;
  log_index: number;
  /** The event's arguments as the indexer stored them. */
  details: Record<string, unknown>;
}

/**
 * The chain's transitions of linked escrow orders whose timeline entry is not recorded yet (its source key is
 * `chain:<chain>:<tx hash>:<log index>`), in chain order.
 */
export async function listUnrecordedEscrowTransitions(
  em: EntityManager,
  chainId: number,
): Promise<EscrowTransitionRow[]> {
  return em.execute<EscrowTransitionRow[]>(
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
}

/** The ids of timeline entries recorded from logs of the chain that are no longer indexed: a reorg took them back. */
export async function listOrderEventsOfVanishedLogs(em: EntityManager, chainId: number): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `SELECT ev.id::text AS id FROM order_events ev
      WHERE ev.source_key LIKE 'chain:' || ? || ':%'
        AND NOT EXISTS (
          SELECT 1 FROM indexer.escrow_order_history h
           WHERE h.chain_id = ? AND ev.source_key = 'chain:' || h.chain_id || ':' || h.tx_hash || ':' || h.log_index)`,
    [chainId, chainId],
  );
  return rows.map((row) => row.id);
}
