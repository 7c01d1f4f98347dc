import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";

/** A child process whose output goes to a log file, and how to stop it. */
export interface LoggedProcess {
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
  const log = createWriteStream(options.logFile, { flags: "a" });
  const env = { ...process.env, ...options.env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => {
      log.end();
      resolve(code ?? signal ?? "unknown");
    }),
  );
  return {
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
