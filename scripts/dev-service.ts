import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface DevService {
  name: string;
  /** Resolves with the exit code (or signal) when the process ends, for whatever reason. */
  exited: Promise<number | NodeJS.Signals>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Runs one process of the dev stack, its output prefixed with its name so interleaved logs stay readable. */
export function startDevService(options: {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
}): DevService {
  const child = spawn(options.command, options.args, {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = `[${options.name}]`;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => console.log(`${prefix} ${line}`));
  }
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.on("exit", (code, signal) => resolve(signal ?? code ?? 1));
    child.on("error", (error) => {
      console.error(`${prefix} could not start: ${error.message}`);
      resolve(1);
    });
  });
  return {
    name: options.name,
    exited,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers 2xx; rejects when `service` exits first or `timeoutMs` passes. */
export async function waitUntilReady(service: DevService, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void service.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${service.name} exited before it was ready (see its log above)`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${service.name} was not ready at ${url} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
