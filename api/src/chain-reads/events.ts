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

/**
 * Who holds each role of the escrow now. The indexer keeps AccessControl events only as raw events: the latest grant
 * or revoke per role and account says who holds the role.
 */
export async function listEscrowRoleHolders(
  em: EntityManager,
  chainId: number,
): Promise<{ role: string; account: string }[]> {
  return queryIndexer<{ role: string; account: string }>(
    em,
    `SELECT role, account FROM (
       SELECT DISTINCT ON (args->>'role', lower(args->>'account'))
              args->>'role' AS role, lower(args->>'account') AS account, event_name
         FROM indexer.events
        WHERE chain_id = ? AND contract_name = 'MarketplaceEscrow' AND event_name IN ('RoleGranted', 'RoleRevoked')
        ORDER BY args->>'role', lower(args->>'account'), block_number DESC, log_index DESC
     ) latest WHERE event_name = 'RoleGranted' ORDER BY account`,
    [chainId],
  );
}
