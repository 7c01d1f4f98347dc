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

interface Answer {
  status: number;
  code: string | undefined;
}

const CART: Answer = { status: 200, code: undefined };
/** A checkout of an empty cart: a whole transaction (the buyer's advisory lock, reads), refused at the end. */
const EMPTY_CHECKOUT: Answer = { status: 422, code: "cart_empty" };
const UNAVAILABLE: Answer = { status: 503, code: "database_unavailable" };

describe("API database pool when PostgreSQL connections go silent (a partition, a dropped NAT entry)", function () {
  this.timeout(240_000);
  let proxy: Awaited<ReturnType<typeof startBlackholeProxy>> | undefined;
  let api: ApiTestApp | undefined;
  let pool: pg.Pool | undefined;
  let headers: Record<string, string>;

  beforeEach(async function () {
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
    // Dropping the database (api.close()) ends this pool's idle connection, should a test fail before ending it.
    pool.on("error", () => undefined);
    const buyer = await insertUser(pool);
    const { token } = await api.accessTokens.issue({ id: buyer, roles: ["buyer"] });
    headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  });

  afterEach(async function () {
    await pool?.end();
    pool = undefined;
    // Only when a test failed before closing it; a close that hangs then must not hide why.
    if (api !== undefined) await within(api.close(), PATIENCE_MS, "closing the API").catch(() => undefined);
    api = undefined;
    await proxy?.close();
    proxy = undefined;
  });

  async function answerOf(request: Promise<Response>, what: string): Promise<Answer> {
    const response = await within(request, PATIENCE_MS, what);
    const body = (await response.json()) as { error?: { code: string } };
    return { status: response.status, code: body.error?.code };
  }

  const cart = (what: string) => answerOf(api!.request("/api/cart", { headers }), what);
  const checkout = (what: string) =>
    answerOf(
      api!.request("/api/checkout", {
        method: "POST",
        headers: { ...headers, "idempotency-key": randomUUID() },
        body: JSON.stringify({ paymentMethod: "escrow" }),
      }),
      what,
    );
  /** `REQUESTS` at once, alternately reading the cart and checking it out. */
  const burst = (what: string) =>
    Promise.all(Array.from({ length: REQUESTS }, (_, n) => (n % 2 === 0 ? cart(what) : checkout(what))));
  const served = Array.from({ length: REQUESTS }, (_, n) => (n % 2 === 0 ? CART : EMPTY_CHECKOUT));

  /** orm.close() (in api.close()) waits for every pooled client to come back: none may be stuck on a silent one. */
  async function closeApi(): Promise<void> {
    await pool!.end();
    pool = undefined;
    const closing = api!.close();
    api = undefined;
    await within(closing, PATIENCE_MS, "closing the API (orm.close())");
  }

  it("fails requests on pooled connections gone silent with 503, serves again once the network is back, and closes", async function () {
    // Every pooled connection in use at least once, so that the pool holds several when they go silent.
    expect(await burst("a request before the blackhole")).to.deep.equal(served);
    expect(proxy!.forwarded).to.be.greaterThan(0);

    proxy!.blackhole();
    expect(await burst("a request during the blackhole")).to.deep.equal(served.map(() => UNAVAILABLE));
    // Still silent: a request now must fail just the same, not hang behind the connections that went silent.
    expect(await cart("a second request during the blackhole")).to.deep.equal(UNAVAILABLE);

    proxy!.restore();
    // The connections that went silent stay silent: the API must have dropped them and open new ones.
    await waitFor(
      "the API to serve again",
      async () => ((await cart("a request after the blackhole")).status === 200 ? true : undefined),
      { timeoutMs: PATIENCE_MS, intervalMs: 200 },
    );
    expect(await burst("a request after the blackhole")).to.deep.equal(served);
    await closeApi();
  });

  it("frees the locks of a transaction cut off mid-way, so that the buyer can check out again", async function () {
    // The server takes the buyer's advisory lock, inside the checkout's transaction, and its answer is lost.
    proxy!.blackholeAfter((chunk) => chunk.includes("pg_advisory_xact_lock"));
    expect(await checkout("a checkout cut off holding its lock")).to.deep.equal(UNAVAILABLE);

    proxy!.restore();
    // Until PostgreSQL ends the cut-off session (idle in transaction), the lock makes the buyer's checkouts wait.
    await waitFor(
      "the buyer to check out again",
      async () => ((await checkout("a checkout after the blackhole")).status === 422 ? true : undefined),
      { timeoutMs: PATIENCE_MS, intervalMs: 200 },
    );
    expect(await burst("a request after the blackhole")).to.deep.equal(served);
    const { rows } = await pool!.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'",
    );
    expect(rows).to.deep.equal([{ count: 0 }]);
    await closeApi();
  });
});
