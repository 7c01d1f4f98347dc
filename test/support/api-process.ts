import { spawn } from "node:child_process";

import { createAccessTokens } from "../../api/src/auth/access-tokens.js";
import type { AccessTokens } from "../../api/src/auth/access-tokens.js";
import { loadApiConfig } from "../../api/src/config.js";
import type { ApiConfig } from "../../api/src/config.js";
import { waitFor } from "../../bench/wait-for.js";
import { TEST_JWT_SECRET } from "./api-app.js";

/** The API as production runs it (`npm run api`: api/src/main.ts in a process of its own). */
export interface ApiProcess {
  /** Base URL, e.g. `http://127.0.0.1:53121`. */
  url: string;
  config: ApiConfig;
  /** Tokens the process accepts: `await api.accessTokens.issue({ id, roles: ["buyer"] })`. */
  accessTokens: AccessTokens;
  request: (path: string, init?: RequestInit) => Promise<Response>;
  /** Everything it printed so far (its JSON log lines), stdout and stderr interleaved. */
  output(): string;
  /**
   * Sends SIGTERM, as an orchestrator does, and resolves with the exit code. Rejects, naming the hang and after
   * killing the process, when it has not exited within `timeoutMs`: a clean shutdown must finish by itself.
   */
  stop(timeoutMs?: number): Promise<number | null>;
  /** Kills it with SIGKILL, as a crash or the kernel's OOM killer would: nothing in flight gets to finish. */
  kill(): Promise<void>;
}

/**
 * Starts api/src/main.ts with `env` on top of the test defaults (chain 31337, the test JWT secret) and resolves once
 * it answers /health. `env` must give DATABASE_URL and API_PORT. `nodeArgs` runs something else with node instead,
 * e.g. the server build's bundle.
 */
export async function startApiProcess(
  env: Record<string, string>,
  { nodeArgs = ["--import", "tsx", "api/src/main.ts"] }: { nodeArgs?: string[] } = {},
): Promise<ApiProcess> {
  const fullEnv = { CHAIN_ID: "31337", JWT_SECRET: TEST_JWT_SECRET, API_HOST: "127.0.0.1", ...env };
  // Parsed here too, so a bad setting fails with the config's own message, and tokens match the process's.
  const config = loadApiConfig({ CHAIN_RPC_URL: "http://127.0.0.1:8545", ...fullEnv });
  const child = spawn(process.execPath, nodeArgs, {
    env: { ...process.env, ...fullEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://${config.host}:${config.port}`;
  const request = (path: string, init?: RequestInit) => fetch(`${url}${path}`, init);

  const stop = async (timeoutMs = 30_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), timeoutMs)));
    const result = await Promise.race([exited, hung]);
    clearTimeout(timer);
    if (result !== "hung") return result;
    child.kill("SIGKILL");
    await exited;
    throw new Error(`the API did not exit within ${timeoutMs} ms of SIGTERM; its output:\n${output.slice(-8_000)}`);
  };

  const starting = new AbortController();
  try {
    await Promise.race([
      waitFor("the API's /health", async () => ((await request("/health")).ok ? true : undefined), {
        timeoutMs: 90_000,
        intervalMs: 100,
        signal: starting.signal,
      }),
      exited.then((code) => Promise.reject(new Error(`it exited with ${code}`))),
    ]);
  } catch (error) {
    await stop(5_000).catch(() => undefined);
    throw new Error(`the API process did not start (${(error as Error).message}); its output:\n${output}`, {
      cause: error,
    });
  } finally {
    starting.abort();
  }

  return {
    url,
    config,
    accessTokens: createAccessTokens({
      secret: config.jwt.secret,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ttlSeconds: config.jwt.accessTtlSeconds,
    }),
    request,
    output: () => output,
    stop,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}
