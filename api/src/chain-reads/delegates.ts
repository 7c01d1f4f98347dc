import type { EntityManager } from "@mikro-orm/postgresql";

import { queryIndexer } from "./query-indexer.js";

/** A delegate's voting power with how many accounts delegate to it and how many votes it cast. */
export interface DelegateRow {
  account: string;
  voting_power: string;
  delegators: number;
  votes_cast: number;
}

/** Up to `limit` delegates holding voting power, most first, after the keyset position (power, account) `after`. */
export async function listDelegateRows(
  em: EntityManager,
  chainId: number,
  query: { after?: [string, string]; limit: number },
): Promise<DelegateRow[]> {
  const { after } = query;
  return queryIndexer<DelegateRow>(
    em,
    `SELECT d.account, d.voting_power::text AS voting_power,
            (SELECT count(*)::int FROM indexer.delegates f WHERE f.chain_id = d.chain_id AND f.delegate = d.account)
              AS delegators,
            (SELECT count(*)::int FROM indexer.votes v WHERE v.chain_id = d.chain_id AND v.voter = d.account)
              AS votes_cast
       FROM indexer.delegates d
      WHERE d.chain_id = ? AND d.voting_power > 0
        ${after === undefined ? "" : "AND (d.voting_power, d.account) < (?::numeric, ?::text)"}
      ORDER BY d.voting_power DESC, d.account DESC LIMIT ?`,
    [chainId, ...(after ?? []), query.limit],
  );
}

/** An account's record in the index: the accounts delegating to it and the votes it cast. */
export async function readDelegateRecord(
  em: EntityManager,
  chainId: number,
  account: string,
): Promise<{ delegators: number; votes_cast: number }> {
  const [row] = await queryIndexer<{ delegators: number; votes_cast: number }>(
    em,
    `SELECT (SELECT count(*)::int FROM indexer.delegates WHERE chain_id = ? AND delegate = ?) AS delegators,
            (SELECT count(*)::int FROM indexer.votes WHERE chain_id = ? AND voter = ?) AS votes_cast`,
    [chainId, account, chainId, account],
  );
  return row;
}
