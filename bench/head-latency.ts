import { setTimeout as delay } from "node:timers/promises";

import type pg from "pg";

import type { LoadChain, LoadTransaction } from "./load-chain.js";
import { waitFor } from "./wait-for.js";

/** Per block: from `evm_mine` returning to the indexer announcing the commit that covers the block. */
export interface HeadLatency {
  blocks: number;
  /** Blocks per second actually mined (the target unless mining itself was slower). */
  blocksPerSecond: number;
  latenciesMs: number[];
}

/**
 * Mines `blocks` blocks at `blocksPerSecond`, each with the transactions `nextBlock` returns, while listening for the
 * indexer's announcements on PostgreSQL NOTIFY (`listener` is a dedicated, connected client; the indexer runs
 * without REDIS_URL). An announcement is sent right after a step's transaction commits, so the latency measured is
 * block mined → rows committed, plus one NOTIFY delivery.
 */
export async function measureHeadLatency(deps: {
  chain: LoadChain;
  listener: pg.Client;
  channel: string;
  blocks: number;
  blocksPerSecond: number;
  nextBlock: () => LoadTransaction[];
}): Promise<HeadLatency> {
  const { chain, listener } = deps;
  const commits: { to: bigint; at: number }[] = [];
  listener.on("notification", (message) => {
    const at = performance.now();
    if (message.channel !== deps.channel || message.payload === undefined) return;
    const announcement = JSON.parse(message.payload) as { type: string; to?: string };
    if (announcement.type === "block" && announcement.to !== undefined)
      commits.push({ to: BigInt(announcement.to), at });
  });
  await listener.query(`LISTEN ${deps.channel}`);

  const mined: { number: bigint; minedAt: number }[] = [];
  const intervalMs = 1_000 / deps.blocksPerSecond;
  const started = performance.now();
  for (let i = 0; i < deps.blocks; i++) {
    const wait = started + i * intervalMs - performance.now();
    if (wait > 0) await delay(wait);
    mined.push(await chain.mineBlock(deps.nextBlock()));
  }
  const last = mined[mined.length - 1].number;
  await waitFor(
    "the indexer to commit the last block",
    () => Promise.resolve(commits.some((c) => c.to >= last) ? true : undefined),
    {
      timeoutMs: 30_000,
    },
  );
  await listener.query(`UNLISTEN ${deps.channel}`);

  // Commits arrive in block order, so a block's rows were committed by the first announcement that reaches it.
  const latenciesMs = mined.map(({ number, minedAt }) => {
    const commit = commits.find((c) => c.to >= number);
    if (commit === undefined) throw new Error(`no announcement covers block ${number}`);
    return commit.at - minedAt;
  });
  const spanMs = mined[mined.length - 1].minedAt - mined[0].minedAt;
  return { blocks: mined.length, blocksPerSecond: ((mined.length - 1) / spanMs) * 1_000, latenciesMs };
}

/** The `p`-th percentile (0..100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}
