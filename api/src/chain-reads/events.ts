import type { EntityManager } from "@mikro-orm/postgresql";

import { queryIndexer } from "./query-indexer.js";

/** A governor event of one proposal from the indexer's event store, with its block's time (Unix seconds). */
export interface ProposalEventRow {
  event_name: string;
  block_timestamp: string;
  tx_hash: string;
}

/** The governor's events of the proposal (created, extended, queued, executed, canceled), in chain order. */
export async function listProposalEvents(
  em: EntityManager,
  chainId: number,
  proposalId: string,
): Promise<ProposalEventRow[]> {
  return queryIndexer<ProposalEventRow>(
    em,
    `SELECT event_name, block_timestamp::text AS block_timestamp, tx_hash FROM indexer.events
      WHERE chain_id = ? AND contract_name = 'AgriGovernor' AND args->>'proposalId' = ?
        AND event_name IN ('ProposalCreated', 'ProposalExtended', 'ProposalQueued', 'ProposalExecuted',
                           'ProposalCanceled')
      ORDER BY block_number, log_index`,
    [chainId, proposalId],
  );
}
