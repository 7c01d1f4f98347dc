import { randomBytes } from "node:crypto";

import pg from "pg";

/** The local PostgreSQL every developer and CI machine runs (trust auth). */
const SERVER = { host: "127.0.0.1", port: 5432, user: "postgres" } as const;

/** A database of its own for one test file, and how to get rid of it. */
export interface TestDatabase {
  name: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** Creates an empty database with a random name, so test files never see each other's rows. */
export async function createTestDatabase(prefix = "agridao_test"): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await onMaintenanceDatabase((client) => client.query(`CREATE DATABASE ${name}`));
  const pool = new pg.Pool({ ...SERVER, database: name, max: 4 });
  let dropping = false;
  // pool.end() can settle while an idle connection's backend is still going away; the forced drop then terminates
  // it, which is expected then. Any other pool error stays uncaught, as without a listener.
  pool.on("error", (error) => {
    if (!dropping) throw error;
  });
  return {
    name,
    pool,
    async drop() {
      dropping = true;
      await pool.end();
      await onMaintenanceDatabase((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function onMaintenanceDatabase(action: (client: pg.Client) => Promise<unknown>) {
  const client = new pg.Client({ ...SERVER, database: "postgres" });
  await client.connect();
  try {
    await action(client);
  } finally {
    await client.end();
  }
}
