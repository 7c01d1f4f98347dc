import { setTimeout as delay } from "node:timers/promises";

import { RpcUnavailableError } from "./rpc-errors.js";
import { syncOnce } from "./sync.js";
import type { SyncDeps, SyncStep } from "./sync.js";

export interface RunOptions {
  pollIntervalMs: number;
  /** Stops the loop between steps; a step in progress finishes (its transaction commits or rolls back whole). */
  signal: AbortSignal;
  /** Called after each step, once its transaction has committed; the loop waits for it before the next step. */
  onStep?: (step: SyncStep, timing: { durationMs: number }) => void | Promise<void>;
  /** Told about a node that stayed unreachable through every retry; the loop waits a poll interval and goes on. */
  onUnavailable?: (error: RpcUnavailableError) => void;
}

/**
 * Steps the sync engine until `signal` aborts: straight on while there is work, one poll interval apart once
 * idle. Any error other than an unreachable node (a reorg deeper than the window, a rejected request, a broken
 * invariant) ends the loop by rejecting, so the process stops instead of indexing on top of a wrong state.
 */
export async function runIndexer(deps: SyncDeps, options: RunOptions): Promise<void> {
  const { signal, pollIntervalMs } = options;
  while (!signal.aborted) {
    let step: SyncStep;
    const started = performance.now();
    try {
      step = await syncOnce(deps);
    } catch (error) {
      if (!(error instanceof RpcUnavailableError)) throw error;
      options.onUnavailable?.(error);
      step = { type: "idle" };
    }
    await options.onStep?.(step, { durationMs: performance.now() - started });
    if (step.type === "idle") await delay(pollIntervalMs, undefined, { signal }).catch(() => undefined);
  }
}
