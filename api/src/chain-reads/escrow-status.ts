import type { EntityManager } from "@mikro-orm/postgresql";

import { queryIndexer } from "./query-indexer.js";

/** Whether the guardian has paused new escrow orders (`indexer.escrow_status`; no row: never paused). */
export async function readEscrowPaused(em: EntityManager, chainId: number): Promise<boolean> {
  const [row] = await queryIndexer<{ paused: boolean }>(
    em,
    `SELECT paused FROM indexer.escrow_status WHERE chain_id = ?`,
    [chainId],
  );
  return row?.paused ?? false;
}
