import type { EntityManager } from "@mikro-orm/postgresql";

import { queryIndexer } from "./query-indexer.js";

/** A proposal as the indexer keeps it (`indexer.proposals`); uint256 values as decimal text. */
export interface ProposalRow {
  proposal_id: string;
  proposer: string;
  targets: string[];
  values: string[];
  calldatas: string[];
  description: string;
  vote_start: string;
  vote_end: string;
  extended_deadline: string | null;
  for_votes: string;
  against_votes: string;
  abstain_votes: string;
  eta: string | null;
  queued: boolean;
  executed: boolean;
  canceled: boolean;
  created_block: string;
  created_tx: string;
}

const PROPOSAL_COLUMNS = `proposal_id::text AS proposal_id, proposer, targets, "values"::text[] AS "values", calldatas,
  description, vote_start::text AS vote_start, vote_end::text AS vote_end, extended_deadline::text AS extended_deadline,
  for_votes::text AS for_votes, against_votes::text AS against_votes, abstain_votes::text AS abstain_votes,
  eta::text AS eta, queued, executed, canceled, created_block::text AS created_block, created_tx`;

/** The proposal, if the indexer has it; 503 while the indexer's tables do not exist. */
export async function findProposalRow(
  em: EntityManager,
  chainId: number,
  proposalId: string,
): Promise<ProposalRow | undefined> {
  const [row] = await queryIndexer<ProposalRow>(
    em,
    `SELECT ${PROPOSAL_COLUMNS} FROM indexer.proposals WHERE chain_id = ? AND proposal_id = ?::numeric`,
    [chainId, proposalId],
  );
  return row;
}

/** Up to `limit` proposals, newest first, after the keyset position `after`, of one proposer if given. */
export async function listProposalRows(
  em: EntityManager,
  chainId: number,
  query: { proposer?: string; after?: { block: string; id: string }; limit: number },
): Promise<ProposalRow[]> {
  const { proposer, after } = query;
  return queryIndexer<ProposalRow>(
    em,
    `SELECT ${PROPOSAL_COLUMNS} FROM indexer.proposals
      WHERE chain_id = ?
        AND (?::text IS NULL OR proposer = ?)
        AND (?::bigint IS NULL OR (created_block, proposal_id) < (?::bigint, ?::numeric))
      ORDER BY created_block DESC, proposal_id DESC LIMIT ?`,
    [
      chainId,
      proposer ?? null,
      proposer ?? null,
      after?.block ?? null,
      after?.block ?? null,
      after?.id ?? null,
      query.limit,
    ],
  );
}

/** How many proposals' votes opened before `now` (Unix seconds): what participation is measured against. */
export async function countProposalsOpenedBefore(em: EntityManager, chainId: number, now: bigint): Promise<number> {
  const [{ count }] = await queryIndexer<{ count: number }>(
    em,
    `SELECT count(*)::int AS count FROM indexer.proposals WHERE chain_id = ? AND vote_start < ?::numeric`,
    [chainId, now.toString()],
  );
  return count;
}
