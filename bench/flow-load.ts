import { percentile } from "./head-latency.js";
import type { HttpLoadResult } from "./http-load.js";

/** What one iteration of a flow measured: the latency of its measured request, and whether that request succeeded. */
export interface FlowStep {
  ok: boolean;
  latencyMs: number;
}

/**
 * Closed-loop load for flows autocannon cannot express (fill a cart, then check it out): each of `workers` runs
 * `iteration` back to back for `durationSeconds`, and only the request each iteration measures is counted, so the
 * figures are those of that request under the load of the whole flow.
 */
export async function runFlowLoad(options: {
  workers: number;
  durationSeconds: number;
  /** Stops early once this says the work is done (a fixed batch rather than a time). */
  until?: () => boolean;
  iteration: (worker: number) => Promise<FlowStep>;
}): Promise<HttpLoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + options.durationSeconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.workers }, async (_, worker) => {
      while (performance.now() < deadline && options.until?.() !== true) {
        const step = await options.iteration(worker).catch(() => ({ ok: false, latencyMs: Number.NaN }));
        if (step.ok) latencies.push(step.latencyMs);
        else errors += 1;
      }
    }),
  );
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    reqPerSec: Math.round((latencies.length + errors) / elapsedSeconds),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    errors,
    requests: latencies.length + errors,
  };
}

/** Times one request. */
export async function timed(request: () => Promise<Response>): Promise<{ response: Response; latencyMs: number }> {
  const start = performance.now();
  const response = await request();
  await response.arrayBuffer();
  return { response, latencyMs: performance.now() - start };
}
