import type { ClientBase } from "pg";

import type { ChainContext } from "./chain-context.js";
import type { PositionedEvent } from "./decode-log.js";
import { applyStoredEvent } from "./apply-stored-event.js";
import { toStoredArgs } from "./stored-event.js";
import type { StoredEvent } from "./stored-event.js";

/**
 * Stores a batch of decoded events (in block, log-index order) in `indexer.events` and applies each to the read
 * models, inside the caller's transaction; returns how many were new. An event already stored (same block hash
 * and log index) is skipped, so re-applying a batch never counts anything twice.
 */
export async function applyEvents(
  client: ClientBase,
  events: readonly PositionedEvent[],
  context: ChainContext,
): Promise<number> {
  let applied = 0;
  for (const event of events) {
    const args = toStoredArgs(event.args);
    const { rowCount } = await client.query(
      `INSERT INTO indexer.events (chain_id, block_number, block_hash, block_timestamp, tx_hash, log_index, contract,
         contract_name, event_name, args)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (chain_id, block_hash, log_index) DO NOTHING`,
      [
        context.chainId,
        event.blockNumber.toString(),
        event.blockHash.toLowerCase(),
        event.blockTimestamp.toString(),
        event.transactionHash.toLowerCase(),
        event.logIndex,
        event.address.toLowerCase(),
        event.contractName,
        event.eventName,
        JSON.stringify(args),
      ],
    );
    if (rowCount !== 1) continue;
    // The stored form, not the decoded one, is what handlers see: a rebuild replays exactly these values.
    const stored = {
      ...event,
      args,
      chainId: context.chainId,
    } as StoredEvent;
    await applyStoredEvent(client, stored, context);
    applied += 1;
  }
  return applied;
}
