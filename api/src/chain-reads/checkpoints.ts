import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * The last block the indexer committed for the chain (decimal text), or undefined before its first. Fails when the
 * indexer's tables do not exist: callers that must not fail check first (escrowOrdersIndexed).
 */
export async function readCheckpointBlock(em: EntityManager, chainId: number): Promise<string | undefined> {
  const [row] = await em.execute<{ block_number: string }[]>(
    "SELECT block_number::text AS block_number FROM indexer.checkpoints WHERE chain_id = ?",
    [chainId],
  );
  return row?.block_number;
}
