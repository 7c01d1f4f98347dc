import type { Pool, PoolClient } from "pg";
import type { Address, Hex, Log } from "viem";

import { applyEvents } from "./apply-events.js";
import { nextBlockRange } from "./block-range.js";
import type { BlockRangePolicy } from "./block-range.js";
import type { ChainContext } from "./chain-context.js";
import { decodeLog } from "./decode-log.js";
import type { IndexedAddresses, PositionedEvent } from "./decode-log.js";
import { ConcurrentWriterError, ReorgTooDeepError } from "./errors.js";
import { describeChanges } from "./index-changes.js";
import type { IndexChanges } from "./index-changes.js";
import { rebuildReadModels } from "./rebuild.js";
import { RpcRangeTooLargeError } from "./rpc-errors.js";
import type { BlockHeader, IndexerRpc } from "./rpc.js";
import { inTransaction } from "./transaction.js";

/** What one sync step did; a block step carries what its events changed, so it can be announced after the commit. */
export type SyncStep =
  | { type: "block"; from: bigint; to: bigint; eventCount: number; changes: IndexChanges }
  | {
      type: "reorg";
      ancestor: bigint;
      /** "undo": the journaled changes above the ancestor were undone row by row; "rebuild": from stored events. */
      method: "undo" | "rebuild";
    }
  | { type: "idle" };

/** What the engine carries from one step to the next. */
export interface SyncState {
  /** Blocks per `eth_getLogs` range during backfill; adapted after every request. */
  rangeSize: number;
  /** The backfill range after the batch being committed, fetched meanwhile; used only if the next step starts there. */
  prefetch?: { from: bigint; result: Promise<Prefetched | undefined> };
}

interface Prefetched {
  first: BlockHeader;
  batch: Batch;
}

interface SettledPrefetch {
  from: bigint;
  outcome: PromiseSettledResult<Prefetched | undefined>;
}

export interface SyncDeps {
  db: Pool;
  rpc: IndexerRpc;
  addresses: IndexedAddresses;
  context: ChainContext;
  /** The first block to index when there is no checkpoint yet. */
  startBlock: bigint;
  /**
   * The unfinalized window: the last `confirmations` blocks below the checkpoint are kept in `indexer.blocks`
   * (with the checkpoint's own), so a reorg up to that depth finds its common ancestor. Blocks older than
   * head - confirmations are taken as final and backfilled by range.
   */
  confirmations: number;
  rangePolicy: BlockRangePolicy;
  state: SyncState;
  now?: () => number;
}

/** Header requests in flight at once during backfill. */
const HEADER_CONCURRENCY = 16;

interface Checkpoint {
  number: bigint;
  hash: Hex;
}

/**
 * Advances the index by one step: a batch of blocks after the checkpoint, a rollback to the common ancestor when
 * the chain reorganized under it, or nothing when the checkpoint is the head.
 *
 * Invariant: the checkpoint and the rows it covers (events, read models, kept blocks) commit together, so a
 * crash at any point leaves an index that resumes from its checkpoint without losing or repeating an event.
 */
export async function syncOnce(deps: SyncDeps): Promise<SyncStep> {
  const { rpc, context, confirmations } = deps;
  const settled = await settlePrefetch(deps.state);
  const checkpoint = await readCheckpoint(deps.db, context.chainId);
  const head = await rpc.getHeadNumber();
  const from = checkpoint === undefined ? deps.startBlock : checkpoint.number + 1n;

  if (from > head) {
    if (checkpoint === undefined) return { type: "idle" };
    // No new block, but the checkpoint itself may have been replaced. Only another block at its height proves that:
    // a head below the checkpoint, or no block at its height, is as often a lagging node behind a load balancer as
    // a shorter chain, and a shorter chain shows a different block there as soon as it grows back.
    const current = await rpc.getHeader(checkpoint.number);
    if (current === undefined || current.hash === checkpoint.hash) return { type: "idle" };
    return rollBack(deps, checkpoint, head);
  }

  const finalized = head - BigInt(confirmations);
  const prefetched = takePrefetched(settled, from, finalized);
  const first = prefetched?.first ?? (await rpc.getHeader(from));
  if (first === undefined) return { type: "idle" };
  if (checkpoint !== undefined && first.parentHash !== checkpoint.hash) return rollBack(deps, checkpoint, head);

  const batch =
    prefetched?.batch ??
    (from <= finalized
      ? await fetchFinalizedRange(deps, first, finalized)
      : await fetchRecentBlocks(deps, first, head));
  if (batch === undefined) return { type: "idle" };

  // During backfill the node answers the next range while the database commits this one.
  if (!batch.journaled && batch.last.number < finalized) prefetch(deps, batch.last.number + 1n, finalized);
  await commitBatch(deps, checkpoint, batch);
  return {
    type: "block",
    from,
    to: batch.last.number,
    eventCount: batch.events.length,
    changes: describeChanges(batch.events),
  };
}

interface Batch {
  events: PositionedEvent[];
  headers: BlockHeader[];
  last: BlockHeader;
  /** Inside the unfinalized window: read-model changes are journaled per block so a reorg can undo them. */
  journaled: boolean;
}

/** Backfill below the unfinalized window: one `eth_getLogs` over an adaptive range, headers only where needed. */
async function fetchFinalizedRange(deps: SyncDeps, first: BlockHeader, finalized: bigint): Promise<Batch | undefined> {
  const { rpc, rangePolicy, state } = deps;
  const now = deps.now ?? Date.now;
  const addresses = addressList(deps.addresses);
  let logs: Log[];
  let to: bigint;
  for (;;) {
    to = min(first.number + BigInt(state.rangeSize) - 1n, finalized);
    const started = now();
    try {
      logs = await rpc.getLogsInRange(addresses, first.number, to);
    } catch (error) {
      if (!(error instanceof RpcRangeTooLargeError) || state.rangeSize <= rangePolicy.min) throw error;
      state.rangeSize = nextBlockRange(state.rangeSize, { type: "too-large" }, rangePolicy);
      continue;
    }
    const outcome = { type: "ok", durationMs: now() - started, logCount: logs.length } as const;
    state.rangeSize = nextBlockRange(state.rangeSize, outcome, rangePolicy);
    break;
  }

  // Every header the batch needs (each block with a log, and the last), fetched a few at a time rather than one
  // after another: on a busy chain a range holds hundreds of blocks with logs.
  const headers = new Map<bigint, BlockHeader>([[first.number, first]]);
  const wanted = new Set<bigint>([to]);
  for (const log of logs) {
    if (log.blockNumber !== null && log.blockNumber >= first.number && log.blockNumber <= to)
      wanted.add(log.blockNumber);
  }
  const missing = [...wanted].filter((number) => !headers.has(number));
  for (let start = 0; start < missing.length; start += HEADER_CONCURRENCY) {
    const fetched = await Promise.all(missing.slice(start, start + HEADER_CONCURRENCY).map((n) => rpc.getHeader(n)));
    for (const header of fetched) if (header !== undefined) headers.set(header.number, header);
  }
  const last = headers.get(to);
  if (last === undefined) return undefined;
  const events: PositionedEvent[] = [];
  const seen = new Set<string>();
  for (const log of logs) {
    // A log outside the asked range makes the answer a stale or misrouted one, not this range's logs: try again later.
    if (log.blockNumber === null || log.blockNumber < first.number || log.blockNumber > to) return undefined;
    const header = headers.get(log.blockNumber);
    // A log whose block is no longer the canonical one means the chain moved while we read it: try again later.
    if (header === undefined || header.hash !== log.blockHash) return undefined;
    if (isRepeated(seen, log)) continue;
    const event = decodeLog(log, header.timestamp, deps.addresses);
    if (event !== undefined) events.push(event);
  }
  return { events, headers: [...headers.values()], last, journaled: false };
}

/**
 * Starts fetching the finalized range from `from`. A failure is kept for the step that takes the range, which fails
 * with it just as if it had fetched the range itself; a range no step takes is dropped with its failure.
 */
function prefetch(deps: SyncDeps, from: bigint, finalized: bigint): void {
  const result = (async () => {
    const first = await deps.rpc.getHeader(from);
    if (first === undefined) return undefined;
    const batch = await fetchFinalizedRange(deps, first, finalized);
    return batch === undefined ? undefined : { first, batch };
  })();
  result.catch(() => undefined);
  deps.state.prefetch = { from, result };
}

/**
 * Waits for the prefetched range, if any, before the step sends a request of its own: the step's requests never
 * interleave with the prefetch's, so each request meets the node's failures as it would alone. Consumed either way.
 */
async function settlePrefetch(state: SyncState): Promise<SettledPrefetch | undefined> {
  const { prefetch: pending } = state;
  state.prefetch = undefined;
  if (pending === undefined) return undefined;
  const [outcome] = await Promise.allSettled([pending.result]);
  return { from: pending.from, outcome };
}

/** The prefetched range if it starts at `from` and is still below the finalized block; its failure if it failed. */
function takePrefetched(settled: SettledPrefetch | undefined, from: bigint, finalized: bigint): Prefetched | undefined {
  if (settled?.from !== from) return undefined;
  if (settled.outcome.status === "rejected") throw settled.outcome.reason as unknown;
  const fetched = settled.outcome.value;
  return fetched !== undefined && fetched.batch.last.number <= finalized ? fetched : undefined;
}

/** Inside the unfinalized window: block by block, logs by block hash, so every log belongs to a header we keep. */
async function fetchRecentBlocks(deps: SyncDeps, first: BlockHeader, head: bigint): Promise<Batch | undefined> {
  const { rpc, state } = deps;
  const headers = [first];
  const to = min(first.number + BigInt(state.rangeSize) - 1n, head);
  for (let number = first.number + 1n; number <= to; number++) {
    const header = await rpc.getHeader(number);
    // The chain changed while we walked it: stop at the last linked block; the next step checks what follows.
    if (header === undefined || header.parentHash !== headers[headers.length - 1].hash) break;
    headers.push(header);
  }
  const addresses = addressList(deps.addresses);
  const events: PositionedEvent[] = [];
  const seen = new Set<string>();
  for (const header of headers) {
    for (const log of await rpc.getLogsOfBlock(addresses, header.hash)) {
      // A log of another block makes the answer a stale or misrouted one: try again later.
      if (log.blockHash !== header.hash) return undefined;
      if (isRepeated(seen, log)) continue;
      const event = decodeLog(log, header.timestamp, deps.addresses);
      if (event !== undefined) events.push(event);
    }
  }
  return { events, headers, last: headers[headers.length - 1], journaled: true };
}

async function commitBatch(deps: SyncDeps, checkpoint: Checkpoint | undefined, batch: Batch): Promise<void> {
  const { chainId } = deps.context;
  const keepFrom = batch.last.number - BigInt(deps.confirmations);
  await withTransaction(deps.db, async (client) => {
    await expectCheckpoint(client, chainId, checkpoint);
    if (batch.journaled) {
      for (const [block, events] of byBlock(batch.events)) {
        await client.query("SELECT set_config('indexer.undo_block', $1, true)", [block.toString()]);
        await applyEvents(client, events, deps.context);
      }
      await client.query("SELECT set_config('indexer.undo_block', '', true)");
    } else {
      await applyEvents(client, batch.events, deps.context);
    }
    for (const header of batch.headers) {
      if (header.number < keepFrom) continue;
      await client.query(
        `INSERT INTO indexer.blocks (chain_id, number, hash, parent_hash, timestamp, journaled)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (chain_id, hash) DO NOTHING`,
        [
          chainId,
          header.number.toString(),
          header.hash,
          header.parentHash,
          header.timestamp.toString(),
          batch.journaled,
        ],
      );
    }
    const belowWindow = [chainId, keepFrom.toString()];
    await client.query("DELETE FROM indexer.blocks WHERE chain_id = $1 AND number < $2", belowWindow);
    await client.query("DELETE FROM indexer.undo_log WHERE chain_id = $1 AND block_number < $2", belowWindow);
    await client.query(
      `INSERT INTO indexer.checkpoints (chain_id, block_number, block_hash) VALUES ($1, $2, $3)
       ON CONFLICT (chain_id) DO UPDATE SET block_number = EXCLUDED.block_number, block_hash = EXCLUDED.block_hash`,
      [chainId, batch.last.number.toString(), batch.last.hash],
    );
  });
}

/**
 * Finds the newest kept block the node still has on its canonical chain and rewinds the index to it, in one
 * transaction: events and blocks above it are deleted, the checkpoint moves to it, and the read-model changes of the
 * removed blocks are undone row by row from the undo log. When some removed block was not journaled (indexed by the
 * backfill, or journal cleared by a rebuild) the read models are rebuilt from the remaining events instead.
 */
async function rollBack(deps: SyncDeps, checkpoint: Checkpoint, head: bigint): Promise<SyncStep> {
  const { rpc, context } = deps;
  const { rows } = await deps.db.query<{ number: string; hash: Hex }>(
    "SELECT number, hash FROM indexer.blocks WHERE chain_id = $1 ORDER BY number DESC",
    [context.chainId],
  );
  let ancestor: Checkpoint | undefined;
  for (const row of rows) {
    const number = BigInt(row.number);
    if (number > head) continue;
    const canonical = await rpc.getHeader(number);
    if (canonical?.hash === row.hash) {
      ancestor = { number, hash: row.hash };
      break;
    }
  }
  if (ancestor === undefined) {
    const oldest = rows.length === 0 ? checkpoint.number : BigInt(rows[rows.length - 1].number);
    throw new ReorgTooDeepError(checkpoint.number, checkpoint.number - oldest + 1n, deps.confirmations);
  }
  const kept = ancestor;
  let method: "undo" | "rebuild" = "undo";
  await withTransaction(deps.db, async (client) => {
    await expectCheckpoint(client, context.chainId, checkpoint);
    const params = [context.chainId, kept.number.toString()];
    const { rows: journaled } = await client.query<{ count: string }>(
      "SELECT count(*) FROM indexer.blocks WHERE chain_id = $1 AND number > $2 AND journaled",
      params,
    );
    // Every removed block must have been journaled, including blocks without a row here (a gap means backfill).
    if (BigInt(journaled[0].count) !== checkpoint.number - kept.number) method = "rebuild";
    await client.query("DELETE FROM indexer.events WHERE chain_id = $1 AND block_number > $2", params);
    await client.query("DELETE FROM indexer.blocks WHERE chain_id = $1 AND number > $2", params);
    await client.query("UPDATE indexer.checkpoints SET block_number = $2, block_hash = $3 WHERE chain_id = $1", [
      ...params,
      kept.hash,
    ]);
    if (method === "undo") await client.query("SELECT indexer.undo_above($1, $2)", params);
    else await rebuildReadModels(client, context);
  });
  return { type: "reorg", ancestor: kept.number, method };
}

async function readCheckpoint(db: Pool | PoolClient, chainId: number, lock = false): Promise<Checkpoint | undefined> {
  const { rows } = await db.query<{ block_number: string; block_hash: Hex }>(
    `SELECT block_number, block_hash FROM indexer.checkpoints WHERE chain_id = $1${lock ? " FOR UPDATE" : ""}`,
    [chainId],
  );
  return rows.length === 0 ? undefined : { number: BigInt(rows[0].block_number), hash: rows[0].block_hash };
}

/** Guards against a second writer having moved the checkpoint since this step read it. */
async function expectCheckpoint(client: PoolClient, chainId: number, expected: Checkpoint | undefined) {
  const current = await readCheckpoint(client, chainId, true);
  if (current?.number !== expected?.number || current?.hash !== expected?.hash) {
    throw new ConcurrentWriterError(chainId);
  }
}

/** One pooled connection, one transaction. */
async function withTransaction(db: Pool, work: (client: PoolClient) => Promise<void>): Promise<void> {
  const client = await db.connect();
  try {
    await inTransaction(client, () => work(client));
  } finally {
    client.release();
  }
}

/** Consecutive runs of events from the same block, in order. */
function byBlock(events: readonly PositionedEvent[]): Map<bigint, PositionedEvent[]> {
  const groups = new Map<bigint, PositionedEvent[]>();
  for (const event of events) {
    const group = groups.get(event.blockNumber);
    if (group === undefined) groups.set(event.blockNumber, [event]);
    else group.push(event);
  }
  return groups;
}

/** Whether `log` was met before in the same answer: some providers repeat a log, which is still one event. */
function isRepeated(seen: Set<string>, log: Log): boolean {
  const key = `${log.blockHash}:${log.logIndex}`;
  if (seen.has(key)) return true;
  seen.add(key);
  return false;
}

function addressList(addresses: IndexedAddresses): Address[] {
  return Object.values(addresses);
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
