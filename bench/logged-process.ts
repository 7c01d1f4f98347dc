import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";

/** A child process whose output goes to a log file, and how to stop it. */
export interface LoggedProcess {
  /** The child's process id (its CPU time is read from /proc). */
  pid: number;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
  /** Sends SIGTERM and waits for the exit; after `graceMs`, SIGKILL. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `command` with `env` added to this process's environment (an undefined value removes a variable), its
 * stdout and stderr appended to `logFile`.
 */
export function startLoggedProcess(options: {
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd?: string;
  logFile: string;
}): LoggedProcess {
  // The child writes to the file itself, as under a process supervisor: piping through this process would make the
  // load generator, which shares this process's thread, also carry the server's log lines (and slow both).
  const log = openSync(options.logFile, "a");
  const env = { ...process.env, ...options.env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  if (child.pid === undefined) throw new Error(`${options.command} could not be started`);
  return {
    pid: child.pid,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
