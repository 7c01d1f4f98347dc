import { Counter, Gauge, Histogram, Registry } from "prom-client";

import { RpcError } from "./rpc-errors.js";
import type { IndexerRpc } from "./rpc.js";
import type { SyncStep } from "./sync.js";

/** Where the indexer stands against the chain, as last seen. */
export interface IndexerProgress {
  head?: bigint;
  indexed?: bigint;
}

/** The indexer's Prometheus metrics, and the progress that readiness is judged on. */
export interface IndexerMetrics {
  registry: Registry;
  /** Records a finished step: the checkpoint it left, the events it wrote, how long it took. */
  observeStep(step: SyncStep, durationMs: number): void;
  /** Sets the indexed block from the stored checkpoint at start-up, before any step has run. */
  setIndexedBlock(block: bigint): void;
  /** Wraps the RPC so every head it reads and every error it raises is counted. */
  instrumentRpc(rpc: IndexerRpc): IndexerRpc;
  progress(): IndexerProgress;
}

/** Creates the metrics in a registry of their own, so two indexers in one process (tests) never share series. */
export function createIndexerMetrics(): IndexerMetrics {
  const registry = new Registry();
  const progress: IndexerProgress = {};
  const headBlock = new Gauge({
    name: "indexer_head_block",
    help: "Latest block number the node reported",
    registers: [registry],
  });
  const indexedBlock = new Gauge({
    name: "indexer_indexed_block",
    help: "Block number of the checkpoint",
    registers: [registry],
  });
  const lag = new Gauge({ name: "indexer_lag_blocks", help: "Head block minus indexed block", registers: [registry] });
  const eventsIndexed = new Counter({
    name: "indexer_events_indexed_total",
    help: "Events written",
    registers: [registry],
  });
  const reorgs = new Counter({
    name: "indexer_reorgs_total",
    help: "Reorgs rolled back, by how the read models were rewound (undo log or rebuild)",
    labelNames: ["method"] as const,
    registers: [registry],
  });
  const rpcErrors = new Counter({
    name: "indexer_rpc_errors_total",
    help: "RPC requests that failed, by what can be done about them",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  const batchDuration = new Histogram({
    name: "indexer_batch_duration_seconds",
    help: "Duration of sync steps that wrote a batch of blocks",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  const update = () => {
    if (progress.head !== undefined) headBlock.set(Number(progress.head));
    if (progress.indexed !== undefined) indexedBlock.set(Number(progress.indexed));
    if (progress.head !== undefined && progress.indexed !== undefined) {
      lag.set(Math.max(0, Number(progress.head - progress.indexed)));
    }
  };
  const counted =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (error) {
        rpcErrors.inc({ kind: error instanceof RpcError ? error.kind : "unknown" });
        throw error;
      }
    };

  return {
    registry,
    observeStep(step, durationMs) {
      if (step.type === "block") {
        progress.indexed = step.to;
        eventsIndexed.inc(step.eventCount);
        batchDuration.observe(durationMs / 1_000);
      } else if (step.type === "reorg") {
        progress.indexed = step.ancestor;
        reorgs.inc({ method: step.method });
      }
      update();
    },
    setIndexedBlock(block) {
      progress.indexed = block;
      update();
    },
    instrumentRpc(rpc) {
      return {
        getHeadNumber: counted(async () => {
          const head = await rpc.getHeadNumber();
          progress.head = head;
          update();
          return head;
        }),
        getHeader: counted((number) => rpc.getHeader(number)),
        getLogsInRange: counted((addresses, from, to) => rpc.getLogsInRange(addresses, from, to)),
        getLogsOfBlock: counted((addresses, blockHash) => rpc.getLogsOfBlock(addresses, blockHash)),
      };
    },
    progress: () => ({ ...progress }),
  };
}
