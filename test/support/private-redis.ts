import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { waitFor } from "../../bench/wait-for.js";
import { freePort } from "./free-port.js";

/** A Redis server of a test's own, which it may stop and start again; the shared one on 6379 must never be. */
export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>`, the same across restarts. */
  url: string;
  /** Shuts the server down (SIGTERM) and waits for it to exit. Nothing is persisted: a restart starts empty. */
  stop(): Promise<void>;
  /** Starts it again on the same port, resolving once it answers PING. */
  start(): Promise<void>;
  /** Stops it and deletes its working directory. */
  destroy(): Promise<void>;
}

/** Starts `redis-server` from PATH (Debian's `redis-server` package) on a free loopback port. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = path.join(tmpdir(), `agridao-test-redis-${randomBytes(6).toString("hex")}`);
  await mkdir(dir, { recursive: true });
  let server: ChildProcess | undefined;
  let output = "";

  async function start(): Promise<void> {
    if (server !== undefined) return;
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    server = child;
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const failed = new Promise<never>((_, reject) => {
      child.once("error", (error) => reject(new Error(`redis-server could not start: ${error.message}`)));
      child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
    });
    failed.catch(() => undefined);
    await Promise.race([failed, waitFor("redis-server to answer PING", () => ping(port), { timeoutMs: 30_000 })]);
  }

  async function stop(): Promise<void> {
    const child = server;
    server = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** True once the server on `port` answers PING; undefined while it does not. */
function ping(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) socket.end();
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(reply.startsWith("+PONG") ? true : undefined));
  });
}
