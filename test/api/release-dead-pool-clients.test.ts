import { MikroORM } from "@mikro-orm/postgresql";
import { expect } from "chai";

import { createOrmConfig } from "../../api/src/database/orm-config.js";
import { waitFor } from "../../bench/wait-for.js";
import { startPrivatePostgres } from "../support/private-postgres.js";
import type { PrivatePostgres } from "../support/private-postgres.js";
import { within } from "../support/within.js";

/** Generous: a loaded two-core machine restarts PostgreSQL slowly. */
const PATIENCE_MS = 60_000;

describe("API database pool across a PostgreSQL restart (releaseDeadPoolClients)", function () {
  this.timeout(180_000);
  let postgres: PrivatePostgres;

  before(async function () {
    postgres = await startPrivatePostgres();
  });

  after(async function () {
    await postgres?.destroy();
  });

  it("gets back the connections of transactions the restart cut, serves queries again and closes", async function () {
    const orm = await MikroORM.init(createOrmConfig({ databaseUrl: postgres.url, poolMax: 2 }));
    try {
      // Two transactions hold both pooled connections while PostgreSQL stops under them.
      let resume: () => void = () => undefined;
      const paused = new Promise<void>((resolve) => (resume = resolve));
      let open = 0;
      const cut = [1, 2].map((n) =>
        orm.em
          .fork()
          .transactional(async (tx) => {
            await tx.execute("SELECT ? AS n", [n]);
            open += 1;
            await paused;
            await tx.execute("SELECT ? AS n", [n]);
          })
          .then(
            () => "committed",
            (error: unknown) => error,
          ),
      );
      await waitFor("both transactions to be open", () => Promise.resolve(open === 2 ? true : undefined), {
        timeoutMs: PATIENCE_MS,
      });
      await postgres.stop();
      resume();
      for (const outcome of await Promise.all(cut)) expect(outcome).to.be.instanceOf(Error);

      await postgres.start();
      const rows = await within(
        orm.em.getConnection().execute<{ one: number }[]>("SELECT 1 AS one"),
        PATIENCE_MS,
        "a query after the restart",
      );
      expect(rows).to.deep.equal([{ one: 1 }]);
    } catch (error) {
      // Not awaited: with the connections lost, closing would hang and hide why the test failed.
      void orm.close();
      throw error;
    }
    await within(orm.close(), PATIENCE_MS, "orm.close()");
  });
});
