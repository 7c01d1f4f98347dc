import { Redis } from "ioredis";
import pg from "pg";
import { pino } from "pino";

import { createAnnouncer } from "./announce.js";
import { IndexerConfigError, loadIndexerConfig } from "./config.js";
import type { IndexerConfig } from "./config.js";
import { DEFAULT_BLOCK_RANGE_POLICY } from "./block-range.js";
import { ReorgTooDeepError } from "./errors.js";
import { createIndexerHealth, startIndexerHttpServer } from "./http-server.js";
import { createIndexerMetrics } from "./metrics.js";
import { migrate } from "./migrations.js";
import { rebuild } from "./rebuild.js";
import { createIndexerRpc, createRpcClient } from "./rpc.js";
import { runIndexer } from "./run.js";
import type { SyncStep } from "./sync.js";
import { acquireWriterLock } from "./writer-lock.js";

// `npm run indexer` follows the chain; `npm run indexer -- rebuild` rebuilds the read models from stored events.
const log = pino({ name: "indexer", redact: ["databaseUrl", "redisUrl", "rpcUrl"] });
const mode = process.argv[2] ?? "run";

let config: IndexerConfig;
try {
  if (mode !== "run" && mode !== "rebuild") throw new Error(`unknown command "${mode}": use "run" or "rebuild"`);
  config = loadIndexerConfig();
} catch (error) {
  log.fatal(error instanceof IndexerConfigError ? error.message : String(error));
  process.exit(1);
}

const context = { chainId: config.chainId, treasury: config.treasury };
const pool = new pg.Pool({ connectionString: config.databaseUrl });
await withClient(async (client) => log.info({ applied: await migrate(client) }, "migrations"));

if (mode === "rebuild") {
  await withClient(async (client) => log.info({ events: await rebuild(client, context) }, "read models rebuilt"));
  await pool.end();
  process.exit(0);
}

const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    log.info({ signal }, "stopping");
    stop.abort();
  });
}

const metrics = createIndexerMetrics();
const health = createIndexerHealth({ metrics, readyLag: config.readyLag });
const http = await startIndexerHttpServer({ host: config.httpHost, port: config.httpPort, health, metrics });
log.info({ url: http.url }, "serving /health, /ready and /metrics");

const redis = config.redisUrl === undefined ? undefined : new Redis(config.redisUrl);
let exitCode = 0;
try {
  const lock = await acquireWriterLock({
    connection: { connectionString: config.databaseUrl },
    chainId: config.chainId,
    pollIntervalMs: 1_000,
    signal: stop.signal,
    onStandby: () => log.info("another indexer writes this chain: waiting as a standby"),
  });
  log.info({ chainId: config.chainId }, "writer lock held");
  const { rows } = await pool.query<{ block_number: string }>(
    "SELECT block_number FROM indexer.checkpoints WHERE chain_id = $1",
    [config.chainId],
  );
  if (rows.length > 0) metrics.setIndexedBlock(BigInt(rows[0].block_number));

  const announcer = createAnnouncer({ chainId: config.chainId, redis, db: pool });
  try {
    await runIndexer(
      {
        db: pool,
        rpc: metrics.instrumentRpc(createIndexerRpc({ client: createRpcClient(config.rpcUrl, config.rpcTimeoutMs) })),
        addresses: config.addresses,
        context,
        startBlock: config.startBlock,
        confirmations: config.confirmations,
        rangePolicy: { ...DEFAULT_BLOCK_RANGE_POLICY, min: config.minBlockRange, max: config.maxBlockRange },
        state: { rangeSize: config.minBlockRange },
      },
      {
        pollIntervalMs: config.pollIntervalMs,
        // Losing the lock means another indexer may already be writing: stop rather than race it.
        signal: AbortSignal.any([stop.signal, lock.lost]),
        onStep: async (step, { durationMs }) => {
          metrics.observeStep(step, durationMs);
          if (step.type !== "idle") log.info({ step: describeStep(step), durationMs }, "step");
          // The step is committed already; a lost announcement only delays browsers until the next one.
          await announcer.announce(step).catch((error: unknown) => log.warn({ err: error }, "announce failed"));
        },
        onUnavailable: (error) => log.warn({ err: error }, "node unavailable, retrying"),
      },
    );
    if (lock.lost.aborted) throw lock.lost.reason;
  } finally {
    await lock.release().catch(() => undefined);
  }
} catch (error) {
  if (!stop.signal.aborted || !(error instanceof Error && error.name === "AbortError")) {
    health.halt(error instanceof Error ? error : new Error(String(error)));
    log.error({ err: error }, "indexer stopped");
    exitCode = 1;
    // A reorg deeper than the window needs a person; keep reporting it on /ready until told to stop.
    if (error instanceof ReorgTooDeepError && !stop.signal.aborted) {
      await new Promise((resolve) => stop.signal.addEventListener("abort", resolve, { once: true }));
    }
  }
}
await redis?.quit();
await http.close();
await pool.end();
process.exit(exitCode);

async function withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

function describeStep(step: SyncStep): Record<string, string | number> {
  if (step.type === "reorg") return { type: "reorg", ancestor: step.ancestor.toString(), method: step.method };
  if (step.type === "block") {
    return { type: "block", from: step.from.toString(), to: step.to.toString(), events: step.eventCount };
  }
  return { type: step.type };
}
