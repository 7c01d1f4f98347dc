import type { ClientBase } from "pg";

import { READ_MODEL_TABLES } from "./rebuild.js";
import { inTransaction } from "./transaction.js";

/**
 * Deletes everything indexed for one chain (events, kept blocks, checkpoint and read models), in one transaction.
 * For a chain that was replaced rather than reorganized — the local dev node starts empty every run — where a
 * stored checkpoint would otherwise look like a reorg deeper than any window. Other chains' rows stay.
 */
export async function forgetChain(client: ClientBase, chainId: number): Promise<void> {
  await inTransaction(client, async () => {
    for (const table of [...READ_MODEL_TABLES, "undo_log", "events", "blocks", "checkpoints"]) {
      await client.query(`DELETE FROM indexer.${table} WHERE chain_id = $1`, [chainId]);
    }
  });
}
