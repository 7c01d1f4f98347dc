import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

import { startLoggedProcess } from "./logged-process.js";
import { waitFor } from "./wait-for.js";

const PONDER_DIR = path.join(import.meta.dirname, "ponder");

/** When Ponder was up and when its tables had reached the target block, in `performance.now()` time. */
export interface PonderBackfill {
  startedAt: number;
  healthyAt: number;
  caughtUpAt: number;
}

/**
 * Installs bench/ponder's dependencies unless they are there already; Ponder stays out of the project's own
 * dependencies, since only this benchmark uses it.
 */
export async function installPonder(log: (line: string) => void): Promise<void> {
  if (existsSync(path.join(PONDER_DIR, "node_modules", "ponder"))) return;
  log("Installing Ponder into bench/ponder (first run only)…");
  await promisify(execFile)("npm", ["install", "--prefix", PONDER_DIR, "--no-audit", "--no-fund"], {
    maxBuffer: 16 * 1024 * 1024,
  });
}

/**
 * Runs `ponder start` on the bench/ponder project against `rpcUrl` and a fresh `databaseUrl`, and waits until its
 * status reports `targetBlock` indexed. Ponder's /health answers once its build and migrations are done and its
 * indexing starts, the same point from which the AgriDAO indexer's backfill is timed.
 */
export async function measurePonderBackfill(options: {
  rpcUrl: string;
  databaseUrl: string;
  port: number;
  addresses: { escrow: string; token: string; governor: string; treasury: string };
  startBlock: bigint;
  targetBlock: bigint;
  logFile: string;
  timeoutMs: number;
}): Promise<PonderBackfill> {
  const base = `http://127.0.0.1:${options.port}`;
  const startedAt = performance.now();
  const ponder = startLoggedProcess({
    command: process.execPath,
    args: [
      path.join(PONDER_DIR, "node_modules", "ponder", "dist", "esm", "bin", "ponder.js"),
      "start",
      "--schema",
      "bench",
      "--port",
      String(options.port),
      "--hostname",
      "127.0.0.1",
      "--log-format",
      "json",
    ],
    cwd: PONDER_DIR,
    env: {
      DATABASE_URL: options.databaseUrl,
      PONDER_RPC_URL: options.rpcUrl,
      PONDER_START_BLOCK: options.startBlock.toString(),
      PONDER_ESCROW_ADDRESS: options.addresses.escrow,
      PONDER_TOKEN_ADDRESS: options.addresses.token,
      PONDER_GOVERNOR_ADDRESS: options.addresses.governor,
      PONDER_TREASURY_ADDRESS: options.addresses.treasury,
      PONDER_TELEMETRY_DISABLED: "true",
    },
    logFile: options.logFile,
  });
  const done = new AbortController();
  const exited = ponder.exited.then((code) => {
    throw new Error(`ponder exited (${code}) before reaching block ${options.targetBlock}; see ${options.logFile}`);
  });
  try {
    const healthyAt = await Promise.race([
      exited,
      waitFor("Ponder's /health", async () => ((await fetch(`${base}/health`)).ok ? performance.now() : undefined), {
        timeoutMs: options.timeoutMs,
        signal: done.signal,
      }),
    ]);
    const caughtUpAt = await Promise.race([
      exited,
      waitFor(
        `Ponder to index block ${options.targetBlock}`,
        async () => {
          const status = (await (await fetch(`${base}/status`)).json()) as Record<
            string,
            { block: { number: number } | null; ready: boolean }
          > | null;
          const chain = status?.hardhat;
          return chain?.ready === true && chain.block !== null && BigInt(chain.block.number) >= options.targetBlock
            ? performance.now()
            : undefined;
        },
        { timeoutMs: options.timeoutMs, signal: done.signal },
      ),
    ]);
    return { startedAt, healthyAt, caughtUpAt };
  } finally {
    done.abort();
    exited.catch(() => undefined);
    await ponder.stop();
  }
}
