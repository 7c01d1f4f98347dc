import type { EntityManager } from "@mikro-orm/postgresql";

import { queryIndexer } from "./query-indexer.js";

/** The tokens the escrow accepts now (`indexer.escrow_payment_tokens`), lower-case addresses in order. */
export async function listAllowedPaymentTokens(em: EntityManager, chainId: number): Promise<string[]> {
  const rows = await queryIndexer<{ token: string }>(
    em,
    `SELECT token FROM indexer.escrow_payment_tokens WHERE chain_id = ? AND allowed ORDER BY token`,
    [chainId],
  );
  return rows.map((row) => row.token);
}
