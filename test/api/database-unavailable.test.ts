import { expect } from "chai";
import pg from "pg";

import { isDatabaseUnavailable } from "../../api/src/database/is-database-unavailable.js";
import { freePort } from "../support/free-port.js";

/** The error `run` rejects with, from a real client of the shared PostgreSQL (or of nothing, at `port`). */
async function errorOf(run: (client: pg.Client) => Promise<unknown>, config: pg.ClientConfig = {}): Promise<Error> {
  const client = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "postgres", ...config });
  try {
    await client.connect();
    await run(client);
  } catch (error) {
    return error as Error;
  } finally {
    await client.end().catch(() => undefined);
  }
  throw new Error("expected the database to refuse");
}

describe("isDatabaseUnavailable", function () {
  it("is true when the database cannot be reached, cancels a statement past statement_timeout, or ends the session", async function () {
    const refused = await errorOf(() => Promise.resolve(), { port: await freePort() });
    const slow = await errorOf((client) => client.query("SELECT pg_sleep(5)"), { statement_timeout: 50 });
    const ended = await errorOf((client) => client.query("SELECT pg_terminate_backend(pg_backend_pid())"));
    expect((slow as { code?: string }).code).to.equal("57014");
    for (const error of [refused, slow, ended]) expect(isDatabaseUnavailable(error), error.message).to.equal(true);
    // As MikroORM and Kysely rethrow: the driver's error as the cause of their own.
    expect(isDatabaseUnavailable(new Error("transaction failed", { cause: refused }))).to.equal(true);
  });

  it("is false for a query that is wrong, which stays a bug (500)", async function () {
    const syntax = await errorOf((client) => client.query("SELEC 1"));
    const missing = await errorOf((client) => client.query("SELECT * FROM no_such_table"));
    const division = await errorOf((client) => client.query("SELECT 1 / 0"));
    for (const error of [syntax, missing, division])
      expect(isDatabaseUnavailable(error), error.message).to.equal(false);
    expect(isDatabaseUnavailable(new Error("something else"))).to.equal(false);
    expect(isDatabaseUnavailable(undefined)).to.equal(false);
  });
});
