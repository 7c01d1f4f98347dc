import type { ClientBase } from "pg";
import type { Address, Hex } from "viem";

import { applyStoredEvents } from "./apply-stored-events.js";
import type { ChainContext } from "./chain-context.js";
import type { StoredEvent } from "./stored-event.js";
import { inTransaction } from "./transaction.js";

/** The read models, children first; everything in them is derived from `indexer.events`. */
export const READ_MODEL_TABLES = [
  "escrow_order_history",
  "escrow_orders",
  "escrow_credits",
  "escrow_terms",
  "escrow_payment_tokens",
  "escrow_status",
  "votes",
  "proposals",
  "delegates",
  "token_balances",
  "role_holders",
] as const;

// Keyset pages keep memory flat however many events are stored.
const PAGE_SIZE = 5_000;

interface EventRow {
  block_number: string;
  block_hash: string;
  block_timestamp: string;
  tx_hash: string;
  log_index: number;
  contract: string;
  contract_name: string;
  event_name: string;
  args: unknown;
}

/**
 * Deletes the chain's read-model rows and re-applies every stored event of the chain in (block, log index) order,
 * all in one transaction: readers see the old models until the new ones are complete. Returns the events applied.
 */
export async function rebuild(client: ClientBase, context: ChainContext): Promise<number> {
  return inTransaction(client, () => rebuildReadModels(client, context));
}

/** What `rebuild` does, inside the caller's transaction (the sync engine's reorg handling uses it so). */
export async function rebuildReadModels(client: ClientBase, context: ChainContext): Promise<number> {
  // Rows are deleted per chain, not truncated, so one chain's rebuild leaves the others' models alone.
  for (const table of READ_MODEL_TABLES) {
    await client.query(`DELETE FROM indexer.${table} WHERE chain_id = $1`, [context.chainId]);
  }
  // The journal holds row images written by the code that ran before; after a rebuild (perhaps by changed code)
  // they may no longer match, so reorgs over the blocks kept so far rebuild instead of undoing.
  await client.query("DELETE FROM indexer.undo_log WHERE chain_id = $1", [context.chainId]);
  await client.query("UPDATE indexer.blocks SET journaled = false WHERE chain_id = $1", [context.chainId]);
  let applied = 0;
  let after = { blockNumber: "-1", logIndex: -1 };
  for (;;) {
    const { rows } = await client.query<EventRow>(
      `SELECT block_number, block_hash, block_timestamp, tx_hash, log_index, contract, contract_name, event_name,
              args
       FROM indexer.events
       WHERE chain_id = $1 AND (block_number, log_index) > ($2, $3)
       ORDER BY block_number, log_index
       LIMIT ${PAGE_SIZE}`,
      [context.chainId, after.blockNumber, after.logIndex],
    );
    await applyStoredEvents(
      client,
      rows.map((row) => toStoredEvent(row, context.chainId)),
      context,
    );
    applied += rows.length;
    if (rows.length < PAGE_SIZE) break;
    const last = rows[rows.length - 1];
    after = { blockNumber: last.block_number, logIndex: last.log_index };
  }
  return applied;
}

function toStoredEvent(row: EventRow, chainId: number): StoredEvent {
  // The row was written by applyEvents from a decoded event of `contract_name`, so its args have that event's shape.
  return {
    chainId,
    contractName: row.contract_name,
    eventName: row.event_name,
    args: row.args,
    blockNumber: BigInt(row.block_number),
    blockHash: row.block_hash as Hex,
    blockTimestamp: BigInt(row.block_timestamp),
    transactionHash: row.tx_hash as Hex,
    logIndex: row.log_index,
    address: row.contract as Address,
  } as StoredEvent;
}
