import type { EntityManager } from "@mikro-orm/postgresql";

import { queryIndexer } from "./query-indexer.js";

/** A vote as the indexer keeps it (`indexer.votes`), with the time of the block it was cast in when stored. */
export interface VoteRow {
  voter: string;
  /** IGovernor's support: 0 against, 1 for, 2 abstain. */
  support: number;
  weight: string;
  reason: string;
  block_number: string;
  log_index: number;
  tx_hash: string;
  cast_at: string | null;
}

/** How many votes the proposal has. */
export async function countProposalVotes(em: EntityManager, chainId: number, proposalId: string): Promise<number> {
  const [{ count }] = await queryIndexer<{ count: string }>(
    em,
    `SELECT count(*)::text AS count FROM indexer.votes WHERE chain_id = ? AND proposal_id = ?::numeric`,
    [chainId, proposalId],
  );
  return Number(count);
}

/**
 * Up to `limit` votes of the proposal, heaviest (`weight`: by weight, then voter) or newest (`time`: by block and log)
 * first, after the keyset position `after` of that order.
 */
export async function listProposalVotes(
  em: EntityManager,
  chainId: number,
  proposalId: string,
  query: { sort: "weight" | "time"; after?: [string, string]; limit: number },
): Promise<VoteRow[]> {
  const { after } = query;
  const [order, position] =
    query.sort === "weight"
      ? ["v.weight DESC, v.voter DESC", "(v.weight, v.voter) < (?::numeric, ?::text)"]
      : ["v.block_number DESC, v.log_index DESC", "(v.block_number, v.log_index) < (?::bigint, ?::integer)"];
  return queryIndexer<VoteRow>(
    em,
    `SELECT v.voter, v.support, v.weight::text AS weight, v.reason, v.block_number::text AS block_number,
            v.log_index, v.tx_hash, e.block_timestamp::text AS cast_at
       FROM indexer.votes v
       LEFT JOIN indexer.events e
         ON e.chain_id = v.chain_id AND e.block_number = v.block_number AND e.log_index = v.log_index
      WHERE v.chain_id = ? AND v.proposal_id = ?::numeric ${after === undefined ? "" : `AND ${position}`}
      ORDER BY ${order} LIMIT ?`,
    [chainId, proposalId, ...(after === undefined ? [] : after), query.limit],
  );
}
