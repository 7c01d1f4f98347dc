import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { MIGRATIONS_DIR, migrate } from "../../indexer/src/migrations.js";
import { READ_MODEL_TABLES, rebuild } from "../../indexer/src/rebuild.js";
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

  it("fills the role holders from the role events stored before their table existed, as a rebuild would", async function () {
    const other = await createTestDatabase();
    const before = await mkdtemp(path.join(tmpdir(), "indexer-migrations-"));
    try {
      for (const file of (await readdir(MIGRATIONS_DIR)).filter((name) => name < "0005")) {
        await copyFile(path.join(MIGRATIONS_DIR, file), path.join(before, file));
      }
      const client = await other.pool.connect();
      try {
        await migrate(client, before);
        const role = `0x${"ab".repeat(32)}`;
        const [first, second] = [
          "0x00000000000000000000000000000000000000A1",
          "0x00000000000000000000000000000000000000b2",
        ];
        const stored = [
          { block: 3, log: 0, event: "RoleGranted", role, account: first },
          { block: 3, log: 1, event: "RoleGranted", role, account: second },
          { block: 5, log: 0, event: "RoleRevoked", role, account: first.toLowerCase() },
          { block: 7, log: 2, event: "RoleGranted", role, account: first },
        ];
        for (const { block, log, event, role: named, account } of stored) {
          await client.query(
            `INSERT INTO indexer.events (chain_id, block_number, block_hash, block_timestamp, tx_hash, log_index, contract,
               contract_name, event_name, args)
             VALUES (31337, $1, $2, 1000, $2, $3, '0x00000000000000000000000000000000000000e5', 'MarketplaceEscrow', $4,
               $5::jsonb)`,
            [
              block,
              `0x${block.toString(16).padStart(64, "0")}`,
              log,
              event,
              JSON.stringify({ role: named, account, sender: first }),
            ],
          );
        }
        await client.query(
          `INSERT INTO indexer.blocks (chain_id, number, hash, parent_hash, timestamp, journaled)
           VALUES (31337, 7, '0x07', '0x06', 1000, true)`,
        );

        expect(await migrate(client)).to.include("0005_role_holders");
        const holders = async () =>
          (
            await client.query<{ role: string; account: string; holds: boolean; updated_block: string }>(
              "SELECT role, account, holds, updated_block FROM indexer.role_holders ORDER BY account",
            )
          ).rows;
        const backfilled = await holders();
        expect(backfilled).to.deep.equal([
          { role, account: first.toLowerCase(), holds: true, updated_block: "7" },
          { role, account: second.toLowerCase(), holds: true, updated_block: "3" },
        ]);
        // The undo log has nothing of these rows: a reorg over the blocks kept so far must rebuild instead.
        const { rows: journaled } = await client.query("SELECT count(*)::int AS n FROM indexer.blocks WHERE journaled");
        expect(journaled).to.deep.equal([{ n: 0 }]);
        await rebuild(client, { chainId: 31337, treasury: "0x00000000000000000000000000000000000000e6" });
        expect(await holders()).to.deep.equal(backfilled);
      } finally {
        client.release();
      }
    } finally {
      await rm(before, { recursive: true, force: true });
      await other.drop();
    }
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
