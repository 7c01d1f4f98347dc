import { setImmediate as nextTurn } from "node:timers/promises";

import { MikroORM } from "@mikro-orm/postgresql";
import { expect } from "chai";
import type pg from "pg";

import { loadApiConfig } from "../../api/src/config.js";
import { createOrmConfig } from "../../api/src/database/orm-config.js";
import { createTestDatabase } from "../support/database.js";
import type { TestDatabase } from "../support/database.js";
import { within } from "../support/within.js";

describe("API database pool closed while connecting (releaseClientsOrphanedByEnd)", function () {
  let database: TestDatabase;

  before(async function () {
    database = await createTestDatabase("agridao_close_test");
  });

  after(async function () {
    await database?.drop();
  });

  it("closes while its first connection is still being made", async function () {
    const { databaseUrl, databaseTimeouts } = loadApiConfig({
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database.name}`,
      CHAIN_ID: "31337",
      CHAIN_RPC_URL: "http://127.0.0.1:8545",
    });
    const options = createOrmConfig({ databaseUrl, poolMax: 4, timeouts: databaseTimeouts });
    // The pool, to see when its first connection is under way; the API's own hooks stay on it.
    const driverOptions = options.driverOptions as { onPoolCreated: (pool: pg.Pool) => void };
    const installHooks = driverOptions.onPoolCreated;
    let pool: pg.Pool | undefined;
    driverOptions.onPoolCreated = (created) => {
      pool = created;
      installHooks(created);
    };
    const orm = await MikroORM.init(options);
    // As an app closed right after it started: createApp's pool metrics make MikroORM connect (and check that the
    // database exists) in the background.
    const connecting = orm.em
      .getConnection()
      .getNativeClient()
      .catch(() => undefined);
    let acquired = false;
    while (pool?.totalCount !== 1) await nextTurn();
    pool.on("acquire", () => (acquired = true));
    expect(acquired, "the connection was still being made").to.equal(false);

    await within(orm.close(), 10_000, "orm.close() while the first connection was being made");
    await within(connecting, 10_000, "the first connection's requester");
  });
});
