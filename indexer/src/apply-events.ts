import type { ClientBase } from "pg";

import type { ChainContext } from "./chain-context.js";
import type { PositionedEvent } from "./decode-log.js";
import { applyStoredEvents } from "./apply-stored-events.js";
import { toStoredArgs } from "./stored-event.js";
import type { StoredEvent } from "./stored-event.js";

/** Rows per INSERT into `indexer.events`: one statement per chunk instead of one round trip per event. */
const INSERT_CHUNK = 2_000;

/**
 * Stores a batch of decoded events (in block, log-index order) in `indexer.events` and applies each to the read
 * models, inside the caller's transaction; returns how many were new. An event already stored (same block hash
 * and log index) is skipped, so re-applying a batch never counts anything twice. Handlers read only the read models,
 * never `indexer.events`, so storing the whole batch before applying it changes nothing they see.
 */
export async function applyEvents(
  client: ClientBase,
  events: readonly PositionedEvent[],
  context: ChainContext,
): Promise<number> {
  const stored = events.map(
    (event) =>
      // The stored form, not the decoded one, is what handlers see: a rebuild replays exactly these values.
      ({ ...event, args: toStoredArgs(event.args), chainId: context.chainId }) as StoredEvent,
  );
  const inserted = new Set<string>();
  for (let start = 0; start < stored.length; start += INSERT_CHUNK) {
    const chunk = stored.slice(start, start + INSERT_CHUNK);
    const { rows } = await client.query<{ block_hash: string; log_index: number }>(
      `INSERT INTO indexer.events (chain_id, block_number, block_hash, block_timestamp, tx_hash, log_index, contract,
         contract_name, event_name, args)
       SELECT $1::integer, * FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::integer[], $7::text[],
         $8::text[], $9::text[], $10::jsonb[])
       ON CONFLICT (chain_id, block_hash, log_index) DO NOTHING
       RETURNING block_hash, log_index`,
      [
        context.chainId,
        chunk.map((event) => event.blockNumber.toString()),
        chunk.map((event) => event.blockHash.toLowerCase()),
        chunk.map((event) => event.blockTimestamp.toString()),
        chunk.map((event) => event.transactionHash.toLowerCase()),
        chunk.map((event) => event.logIndex),
        chunk.map((event) => event.address.toLowerCase()),
        chunk.map((event) => event.contractName),
        chunk.map((event) => event.eventName),
        chunk.map((event) => JSON.stringify(event.args)),
      ],
    );
    for (const row of rows) inserted.add(positionKey(row.block_hash, row.log_index));
  }
  const fresh = stored.filter((event) => inserted.has(positionKey(event.blockHash.toLowerCase(), event.logIndex)));
  await applyStoredEvents(client, fresh, context);
  return fresh.length;
}

function positionKey(blockHash: string, logIndex: number): string {
  return `${blockHash}:${logIndex}`;
}
