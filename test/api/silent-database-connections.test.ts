import { randomUUID } from "node:crypto";

import { expect } from "chai";
import pg from "pg";

import { waitFor } from "../../bench/wait-for.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { startBlackholeProxy } from "../support/blackhole-proxy.js";
import { insertUser } from "../support/cart-fixtures.js";
import { within } from "../support/within.js";

/** Generous bounds on waits that must end, not expectations of how fast: a loaded two-core machine is slow. */
const PATIENCE_MS = 60_000;
/** More requests than the pool (4 in test apps) has connections, so that some wait for one. */
const REQUESTS = 6;

describe("API database pool when PostgreSQL connections go silent (a partition, a dropped NAT entry)", function () {
  this.timeout(240_000);
  let proxy: Awaited<ReturnType<typeof startBlackholeProxy>>;
  let api: ApiTestApp | undefined;
  let pool: pg.Pool | undefined;

  before(async function () {
    proxy = await startBlackholeProxy({ upstream: { host: "127.0.0.1", port: 5432 } });
    // Short timeouts, so that the test does not wait the production defaults out.
    api = await startApiApp({
      databasePort: proxy.port,
      env: {
        DATABASE_CONNECT_TIMEOUT_SECONDS: "2",
        DATABASE_STATEMENT_TIMEOUT_SECONDS: "2",
        DATABASE_SILENCE_TIMEOUT_SECONDS: "3",
        DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS: "3",
        // Any escrow will do: the checkout fails on the empty cart before naming it.
        ESCROW_ADDRESS: "0x00000000000000000000000000000000000e5c00",
        ESCROW_TOKEN_ADDRESS: "0x0000000000000000000000000000000000005dc0",
      },
    });
    pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:5432/${api.database.name}`, max: 1 });
    // Dropping the database (api.close()) ends this pool's idle connection, should the test fail before ending it.
    pool.on("error", () => undefined);
  });

  after(async function () {
    await pool?.end();
    // Only when the test failed before closing it; a close that hangs then must not hide why.
    if (api !== undefined) await within(api.close(), PATIENCE_MS, "closing the API").catch(() => undefined);
    await proxy?.close();
  });

  it("fails requests on silent connections with 503 database_unavailable, then serves again and closes", async function () {
    const buyer = await insertUser(pool!);
    const { token } = await api!.accessTokens.issue({ id: buyer, roles: ["buyer"] });
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    // A plain read, and a checkout: a transaction (advisory lock, reads) that fails on the empty cart.
    const requests = () =>
      Array.from({ length: REQUESTS }, (_, n) =>
        n % 2 === 0
          ? api!.request("/api/cart", { headers })
          : api!.request("/api/checkout", {
              method: "POST",
              headers: { ...headers, "idempotency-key": randomUUID() },
              body: JSON.stringify({ paymentMethod: "escrow" }),
            }),
      );
    const outcomes = async (what: string) =>
      Promise.all(
        requests().map(async (response) => {
          const answered = await within(response, PATIENCE_MS, what);
          const body = (await answered.json()) as { error?: { code: string } };
          return { status: answered.status, code: body.error?.code };
        }),
      );
    const served = [
      { status: 200, code: undefined },
      { status: 422, code: "cart_empty" },
    ];
    const expectServed = (answers: { status: number; code: string | undefined }[]) =>
      answers.forEach((answer, n) => expect(answer).to.deep.equal(served[n % 2]));

    // Every pooled connection in use at least once, so that the pool holds several when they go silent.
    expectServed(await outcomes("a request before the blackhole"));
    expect(proxy.forwarded).to.be.greaterThan(0);

    proxy.blackhole();
    const during = await outcomes("a request during the blackhole");
    expect(during).to.deep.equal(
      Array.from({ length: REQUESTS }, () => ({ status: 503, code: "database_unavailable" })),
    );
    // Still silent: a request now must fail just the same, not hang behind the connections that went silent.
    const [again] = await outcomes("a second request during the blackhole");
    expect(again).to.deep.equal({ status: 503, code: "database_unavailable" });

    proxy.restore();
    // The connections that went silent stay silent: the API must have dropped them and open new ones.
    await waitFor(
      "the API to serve again",
      async () => ((await api!.request("/api/cart", { headers })).status === 200 ? true : undefined),
      { timeoutMs: PATIENCE_MS, intervalMs: 200 },
    );
    expectServed(await outcomes("a request after the blackhole"));

    // orm.close() (in api.close()) waits for every pooled client to come back: none may be stuck on a silent one.
    await pool!.end();
    pool = undefined;
    const closing = api!.close();
    api = undefined;
    await within(closing, PATIENCE_MS, "closing the API (orm.close())");
  });
});
