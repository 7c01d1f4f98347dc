import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { expect } from "chai";

import { MikroORM } from "@mikro-orm/postgresql";

import { createOrmConfig } from "../../api/src/database/orm-config.js";
import { insertFarm, insertUser } from "../support/cart-fixtures.js";
import { createTestDatabase } from "../support/database.js";
import type { TestDatabase } from "../support/database.js";
import { insertOrder } from "../support/order-fixtures.js";

const run = promisify(execFile);

/** The message a promise rejects with; fails the test if it resolves. */
async function failureOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the statement to fail");
}

describe("API migrations command", function () {
  let database: TestDatabase;

  before(async function () {
    database = await createTestDatabase("agridao_api_migrate");
  });

  after(async function () {
    await database?.drop();
  });

  const migrate = () =>
    run("npm", ["run", "--silent", "api:migrate"], {
      env: {
        ...process.env,
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database.name}`,
        CHAIN_ID: "31337",
        CHAIN_RPC_URL: "http://127.0.0.1:8545",
      },
    });

  it("applies every migration, creating the tables, and is a no-op the second time", async function () {
    const first = await migrate();
    const listed = createOrmConfig({ databaseUrl: "postgres://unused" }).migrations?.migrationsList ?? [];
    expect(listed).to.have.length.greaterThan(0);
    expect(first.stdout).to.contain(`applied ${listed.length} migration(s)`);
    const { rows } = await database.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(rows.map((row) => row.table_name)).to.include.members([
      "users",
      "wallets",
      "farms",
      "products",
      "product_photos",
      "stock_changes",
      "carts",
      "cart_items",
      "mikro_orm_migrations",
    ]);

    const second = await migrate();
    expect(second.stdout).to.contain("schema is up to date");
  });

  it("enforces lower-case wallet addresses and known roles in the schema", async function () {
    const {
      rows: [user],
    } = await database.pool.query<{ id: string }>(
      "INSERT INTO users (id, email) VALUES (gen_random_uuid(), 'a@example.com') RETURNING id",
    );
    await database.pool.query("INSERT INTO wallets (address, user_id, chain_id) VALUES ($1, $2, 31337)", [
      `0x${"ab".repeat(20)}`,
      user.id,
    ]);
    const mixedCase = database.pool.query("INSERT INTO wallets (address, user_id, chain_id) VALUES ($1, $2, 31337)", [
      `0x${"AB".repeat(20)}`,
      user.id,
    ]);
    expect(await failureOf(mixedCase)).to.match(/wallets_address_check/);
    const badRole = database.pool.query("INSERT INTO users (id, roles) VALUES (gen_random_uuid(), '{root}')");
    expect(await failureOf(badRole)).to.match(/users_roles_check/);
  });
});

describe("API migration of dispute evidence to a store of its own", function () {
  let database: TestDatabase;
  let orm: MikroORM;

  before(async function () {
    database = await createTestDatabase("agridao_api_evidence_migration");
    orm = await MikroORM.init(
      createOrmConfig({ databaseUrl: `postgres://postgres@127.0.0.1:5432/${database.name}`, poolMax: 1 }),
    );
  });

  after(async function () {
    await orm?.close();
    await database?.drop();
  });

  it("marks every evidence photo stored before it as still in the public photo store, and no statement", async function () {
    await orm.migrator.up({ to: "Migration20261204070000_refund_failures" });
    const buyer = await insertUser(database.pool);
    const orderId = await insertOrder(database.pool, {
      buyerId: buyer,
      farmId: await insertFarm(database.pool, "Old"),
    });
    const {
      rows: [dispute],
    } = await database.pool.query<{ id: string }>(
      `INSERT INTO disputes (id, order_id, opened_by_id, reason, status)
       VALUES (gen_random_uuid(), $1, $2, 'Bruised', 'open') RETURNING id`,
      [orderId, buyer],
    );
    await database.pool.query(
      `INSERT INTO dispute_evidence (dispute_id, uploader_id, kind, text, photo_key)
       VALUES ($1, $2, 'photo', NULL, $3), ($1, $2, 'text', 'Half of them', NULL)`,
      [dispute.id, buyer, "ab".repeat(16)],
    );

    await orm.migrator.up();
    const { rows } = await database.pool.query<{ kind: string; photo_in_public_store: boolean }>(
      "SELECT kind, photo_in_public_store FROM dispute_evidence ORDER BY id",
    );
    expect(rows).to.deep.equal([
      { kind: "photo", photo_in_public_store: true },
      { kind: "text", photo_in_public_store: false },
    ]);
  });
});
