import { readdir } from "node:fs/promises";

import { expect } from "chai";

import { MIGRATIONS_DIR, migrate } from "../../indexer/src/migrations.js";
import { READ_MODEL_TABLES } from "../../indexer/src/rebuild.js";
import { createTestDatabase } from "../support/database.js";
import type { TestDatabase } from "../support/database.js";

describe("indexer migrations", function () {
  let database: TestDatabase;

  before(async function () {
    database = await createTestDatabase();
  });

  after(async function () {
    await database.drop();
  });

  it("creates the schema once and is a no-op when run again", async function () {
    const client = await database.pool.connect();
    try {
      expect(await migrate(client)).to.deep.equal(await allMigrations());
      expect(await migrate(client)).to.deep.equal([]);
      const { rows } = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'indexer' ORDER BY table_name",
      );
      expect(rows.map((row) => row.table_name)).to.include.members([
        "blocks",
        "events",
        "checkpoints",
        "escrow_orders",
        "escrow_order_history",
        "escrow_credits",
        "proposals",
        "votes",
        "delegates",
        "token_balances",
        "schema_migrations",
      ]);
    } finally {
      client.release();
    }
  });

  it("journals changes to every read model, so a reorg can undo any of them", async function () {
    const client = await database.pool.connect();
    try {
      await migrate(client);
    } finally {
      client.release();
    }
    const { rows } = await database.pool.query<{ table: string }>(
      `SELECT event_object_table AS table FROM information_schema.triggers
       WHERE trigger_schema = 'indexer' AND trigger_name = 'journal_change' AND event_manipulation = 'UPDATE'`,
    );
    expect(rows.map((row) => row.table).sort()).to.deep.equal([...READ_MODEL_TABLES].sort());
  });

  it("lets concurrent migrators apply each migration exactly once", async function () {
    const other = await createTestDatabase();
    try {
      const clients = await Promise.all([other.pool.connect(), other.pool.connect(), other.pool.connect()]);
      try {
        const results = await Promise.all(clients.map((client) => migrate(client)));
        expect(results.flat().sort()).to.deep.equal(await allMigrations());
      } finally {
        for (const client of clients) client.release();
      }
    } finally {
      await other.drop();
    }
  });
});

/** Every migration shipped in indexer/migrations, by version, in the order they apply. */
async function allMigrations(): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((name) => name.endsWith(".sql")).sort();
  expect(files).to.include("0001_schema.sql");
  return files.map((name) => name.replace(/\.sql$/, ""));
}
