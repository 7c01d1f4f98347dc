import { spawn } from "node:child_process";

/** A running `npm run indexer`, in a process group of its own so a signal reaches all of it. */
export interface IndexerProcess {
  /** Settles with the exit code (null when a signal ended it) once every process of the group has closed its output. */
  exited: Promise<number | null>;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Whether the whole group has exited. */
  hasExited(): boolean;
  /** Sends `signal` to the whole group and waits for it to be gone; a group already gone is not an error. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the indexer with `env` added to this process's environment: `npm run indexer -- args` for one-shot
 * commands, and the command npm runs (node with tsx's loader) directly for the long-running one, so that its own exit
 * code after a signal is what the caller sees rather than npm's. One node process, not the tsx CLI: the CLI's signal
 * relay kills a child that takes more than about 30 ms to acknowledge SIGTERM, which a loaded machine does.
 */
export function startIndexerProcess(options: { env: Record<string, string>; args?: string[] }): IndexerProcess {
  const args = options.args ?? [];
  const [command, ...commandArgs] =
    args.length > 0
      ? ["npm", "run", "--silent", "indexer", "--", ...args]
      : [process.execPath, "--import", "tsx", "indexer/src/main.ts"];
  const child = spawn(command, commandArgs, {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  let closed = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      closed = true;
      resolve(code);
    }),
  );
  return {
    exited,
    output: () => output,
    hasExited: () => closed,
    async stop(signal) {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // Already gone.
      }
      return exited;
    },
  };
}
