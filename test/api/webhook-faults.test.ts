import { execFile } from "node:child_process";

import { expect } from "chai";
import { Redis } from "ioredis";
import pg from "pg";

import type { ReconciliationResult } from "../../api/src/card-payments/reconcile-stripe.js";
import { waitFor } from "../../bench/wait-for.js";
import { createLocalStripeServer } from "../../scripts/local-stripe/create-local-stripe-server.js";
import type { LocalStripeServer } from "../../scripts/local-stripe/create-local-stripe-server.js";
import type { DeliveryAttempt } from "../../scripts/local-stripe/webhook-deliveries.js";
import { startApiProcess } from "../support/api-process.js";
import type { ApiProcess } from "../support/api-process.js";
import {
  CARD_WEBHOOK_SECRET,
  cardApiEnv,
  createCardShop,
  prepareCardDatabase,
} from "../support/card-payment-harness.js";
import type { CardShop } from "../support/card-payment-harness.js";
import { openEventStream } from "../support/event-stream-client.js";
import type { StreamBlock } from "../support/event-stream-client.js";
import { freePort } from "../support/free-port.js";
import { startLocalNode } from "../support/local-node.js";
import { startPrivatePostgres } from "../support/private-postgres.js";
import type { PrivatePostgres } from "../support/private-postgres.js";
import { startPrivateRedis } from "../support/private-redis.js";
import type { PrivateRedis } from "../support/private-redis.js";
import { within } from "../support/within.js";

const CARD_OK = "4242424242424242";
/** Generous: a loaded two-core machine restarts PostgreSQL and starts node processes slowly. */
const PATIENCE_MS = 60_000;
/** Checkouts paid in the burst: applied before the fault, in flight when it comes, and paid while the server is down. */
const BEFORE = 4;
const CUT = 8;
const LATE = 4;
/** The API's DATABASE_POOL_MAX: small, so that connections kept checked out after they died would soon starve it. */
const POOL_MAX = 3;

type Checkout = Awaited<ReturnType<CardShop["checkout"]>>;

describe("Stripe webhooks when PostgreSQL or Redis restarts in the middle of a burst", function () {
  this.timeout(180_000);
  let node: Awaited<ReturnType<typeof startLocalNode>>;
  let local: LocalStripeServer;
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;
  let pool: pg.Pool;
  let env: Record<string, string>;
  let api: ApiProcess | undefined;

  before(async function () {
    // Stripe retries a delivery that got no 2xx for up to three days; the local one retries within a second, for
    // minutes, so the burst's deliveries outlive the restart as they would on Stripe.
    local = await createLocalStripeServer({
      webhookRetry: { baseDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 300 },
      expirySweepMs: 0,
    });
    [node, postgres, redis] = await Promise.all([startLocalNode(), startPrivatePostgres(), startPrivateRedis()]);
    pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
    // A restart drops this pool's idle connections too: the pool replaces them, nothing for the test to do.
    pool.on("error", () => undefined);
    await prepareCardDatabase(pool);
    // The indexer is at the chain's head, so /ready reports on the database and Redis alone.
    await pool.query("INSERT INTO indexer.checkpoints (chain_id, block_number, block_hash) VALUES (31337, 0, '0x00')");
    const port = await freePort();
    env = {
      ...cardApiEnv(local),
      API_PORT: String(port),
      DATABASE_URL: postgres.url,
      DATABASE_POOL_MAX: String(POOL_MAX),
      REDIS_URL: redis.url,
      CHAIN_ID: "31337",
      CHAIN_RPC_URL: node.url,
      RATE_LIMIT_DEFAULT_PER_MINUTE: "1000000",
      RATE_LIMIT_AUTH_PER_15_MINUTES: "3",
      LOG_LEVEL: "info",
    };
    // One endpoint for every test: each test's API process listens on the same port, as a restarted deployment would.
    local.addWebhookEndpoint({ url: `http://127.0.0.1:${port}/api/stripe/webhook`, secret: CARD_WEBHOOK_SECRET });
  });

  afterEach(async function () {
    // A test that failed early leaves its API running and may leave a server stopped; its shutdown is asserted only
    // by the tests themselves.
    await api?.stop().catch(() => undefined);
    api = undefined;
    await postgres?.start();
    await redis?.start();
  });

  after(async function () {
    await local?.waitForWebhooksIdle(5_000).catch(() => undefined);
    await local?.close();
    await pool?.end();
    await postgres?.destroy();
    await redis?.destroy();
    await node?.stop();
  });

  /** Starts the API process and the card actions against it. */
  async function startShop(): Promise<{ api: ApiProcess; shop: CardShop }> {
    api = await startApiProcess(env);
    const shop = createCardShop({
      request: api.request,
      pool,
      accessTokens: api.accessTokens,
      local,
      settleTimeoutMs: PATIENCE_MS,
    });
    return { api, shop };
  }

  /** `count` card checkouts of one product by new buyers, unpaid. */
  async function checkouts(shop: CardShop, count: number): Promise<Checkout[]> {
    const farm = await shop.farm({ priceMinor: 100, stock: 1_000 });
    const made: Checkout[] = [];
    for (let i = 0; i < count; i += 1) made.push(await shop.checkout([{ productId: farm.productId, quantity: 1 }]));
    return made;
  }

  const succeeded = (attempt: DeliveryAttempt) => attempt.status !== null && attempt.status < 300;

  /** Resolves once at least `count` delivery attempts after the first `mark` satisfy `accept`. */
  async function attemptsAfter(mark: number, count: number, accept: (attempt: DeliveryAttempt) => boolean) {
    await waitFor(
      `${count} webhook deliveries of the burst answered as expected`,
      () => Promise.resolve(local.webhookAttempts().slice(mark).filter(accept).length >= count ? true : undefined),
      { timeoutMs: PATIENCE_MS, intervalMs: 5 },
    );
  }

  /**
   * Every event delivered since attempt `mark` was answered 2xx at last, is stored once and applied; every order
   * of `paid` is paid, with one `paid` event and one notification to its buyer; the Stripe reconciliation (the
   * operator's `npm run stripe:reconcile` over the window from `from`) finds nothing missing, nothing left to
   * apply, and no difference.
   */
  async function expectEveryEventAppliedOnce(shop: CardShop, mark: number, paid: Checkout[], from: Date) {
    const attempts = local.webhookAttempts().slice(mark);
    const eventIds = [...new Set(attempts.map((attempt) => attempt.eventId))];
    const unanswered = eventIds.filter(
      (id) => !attempts.some((attempt) => attempt.eventId === id && succeeded(attempt)),
    );
    expect(unanswered, "events Stripe never got a 2xx for").to.deep.equal([]);
    const { rows } = await pool.query<{ id: string; processed: boolean }>(
      "SELECT id, processed_at IS NOT NULL AS processed FROM stripe_events WHERE id = ANY($1)",
      [eventIds],
    );
    expect(rows.map((row) => row.id).sort()).to.deep.equal([...eventIds].sort());
    expect(
      rows.filter((row) => !row.processed).map((row) => row.id),
      "stored, not applied",
    ).to.deep.equal([]);

    for (const checkout of paid) {
      const order = await shop.order(checkout.body.orders[0].id);
      expect(order.status).to.equal("paid");
      expect(order.timeline.filter((event) => event.kind === "paid")).to.have.length(1);
      const { rows: sent } = await pool.query<{ count: string }>(
        "SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'order_paid'",
        [checkout.buyer.id],
      );
      expect(Number(sent[0].count), "order_paid notifications").to.equal(1);
    }

    const result = await reconcile(from);
    expect(result.differences, JSON.stringify(result.differences)).to.deep.equal([]);
    expect(result).to.deep.include({ eventsMissing: 0, eventsApplied: 0 });
  }

  /** Runs `npm run stripe:reconcile` with the API's settings and returns the report it prints. */
  async function reconcile(from: Date): Promise<ReconciliationResult> {
    const to = new Date(Date.now() + 60_000);
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", "scripts/stripe-reconcile.ts", "--from", from.toISOString(), "--to", to.toISOString()],
        { env: { ...process.env, ...env, LOG_LEVEL: "silent" } },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
          resolve({ code, stdout, stderr });
        },
      );
    });
    expect(run.code, `stripe:reconcile failed:\n${run.stderr}${run.stdout}`).to.equal(0);
    return JSON.parse(run.stdout) as ReconciliationResult;
  }

  /** Waits for /ready to answer 200, without anyone restarting the API. */
  async function expectReadyAgain(api: ApiProcess) {
    await waitFor("the API to be ready again", async () => ((await api.request("/ready")).ok ? true : undefined), {
      timeoutMs: PATIENCE_MS,
      intervalMs: 200,
    }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; the API's output:\n${api.output().slice(-8_000)}`);
    });
  }

  async function expectCleanShutdown(api: ApiProcess) {
    expect(await api.stop(), `the API's output:\n${api.output().slice(-8_000)}`).to.equal(0);
  }

  it("applies every event exactly once when PostgreSQL restarts, and the API recovers and stops by itself", async function () {
    const { api, shop } = await startShop();
    const from = await nextSecond();
    const [before, cut, late] = phases(await checkouts(shop, BEFORE + CUT + LATE));
    const mark = local.webhookAttempts().length;

    // The burst's first events are applied before the fault.
    for (const checkout of before) local.paySession(checkout.sessionId, { number: CARD_OK });
    await shop.settle();
    // Stripe answers slowly: the deliveries that follow wait for it inside their transactions, until every
    // connection of the API's pool is in one. PostgreSQL stops under them.
    local.holdRequests({ method: "GET", pathPrefix: "/v1/checkout/sessions/" });
    for (const checkout of cut) local.paySession(checkout.sessionId, { number: CARD_OK });
    await waitFor(
      "every pooled connection of the API in a transaction waiting for Stripe",
      () => Promise.resolve(local.heldRequestCount() >= POOL_MAX ? true : undefined),
      { timeoutMs: PATIENCE_MS, intervalMs: 10 },
    );
    await postgres.stop();
    local.releaseRequests();
    // Paid while the database is down: their first deliveries fail.
    const stopped = local.webhookAttempts().length;
    for (const checkout of late) local.paySession(checkout.sessionId, { number: CARD_OK });
    await attemptsAfter(stopped, 1, (attempt) => !succeeded(attempt));
    // Bounded: an API whose pool kept its dead connections would never answer.
    const down = await api.request("/ready", { signal: AbortSignal.timeout(PATIENCE_MS) });
    expect(down.status).to.equal(503);
    const { error } = (await down.json()) as { error: { details: { checks: Record<string, { ok: boolean }> } } };
    expect(error.details.checks.database.ok).to.equal(false);

    await postgres.start();
    await shop.settle();
    await expectReadyAgain(api);
    await expectEveryEventAppliedOnce(shop, mark, [...before, ...cut, ...late], from);
    await expectCleanShutdown(api);
  });

  it("applies every event exactly once when Redis restarts; rate limits and live notifications work again", async function () {
    const { api, shop } = await startShop();
    const from = await nextSecond();
    const [before, cut, late] = phases(await checkouts(shop, BEFORE + CUT + LATE));
    const [watched] = await checkouts(shop, 1);
    const stream = await openEventStream(`${api.url}/api/events`, {
      Authorization: `Bearer ${watched.buyer.bearer}`,
    });
    try {
      expect(stream.response.status).to.equal(200);
      const mark = local.webhookAttempts().length;

      for (const checkout of before) local.paySession(checkout.sessionId, { number: CARD_OK });
      await shop.settle();
      // Redis stops while the next deliveries are in flight.
      for (const checkout of cut) local.paySession(checkout.sessionId, { number: CARD_OK });
      await redis.stop();
      // Paid while Redis is down; restarted only once the API has received them.
      for (const checkout of late) local.paySession(checkout.sessionId, { number: CARD_OK });
      await waitFor(
        "the API to store the events paid while Redis is down",
        async () => {
          const { rows } = await pool.query<{ count: string }>(
            `SELECT count(*) FROM stripe_events
              WHERE type = 'checkout.session.completed' AND payload->'data'->'object'->>'id' = ANY($1)`,
            [late.map((checkout) => checkout.sessionId)],
          );
          return Number(rows[0].count) === late.length ? true : undefined;
        },
        { timeoutMs: PATIENCE_MS, intervalMs: 20 },
      );

      await redis.start();
      await shop.settle();
      await expectReadyAgain(api);
      await expectEveryEventAppliedOnce(shop, mark, [...before, ...cut, ...late], from);

      // Live notifications: the API subscribes to its channel again, and a stream opened before the restart gets a
      // notification committed after it.
      await untilSubscribedAgain(redis.url);
      local.paySession(watched.sessionId, { number: CARD_OK });
      const notification = await within(
        stream.next((block: StreamBlock) => "event" in block && block.event === "notification"),
        PATIENCE_MS,
        "the order_paid notification on the stream opened before the restart",
      );
      expect(notification).to.deep.include({ event: "notification" });
      expect((notification as { data: { kind: string; orderId: string } }).data).to.deep.include({
        kind: "order_paid",
        orderId: watched.body.orders[0].id,
      });

      // Rate limits count in the new Redis: the auth policy allows 3 requests, the 4th is refused.
      const nonce = () => api.request("/api/auth/siwe/nonce", { method: "POST" });
      for (let i = 0; i < 3; i += 1) expect((await nonce()).status).to.equal(201);
      const refused = await nonce();
      expect(refused.status).to.equal(429);
      expect(refused.headers.get("retry-after")).to.match(/^\d+$/);
    } finally {
      stream.close();
    }
    await shop.settle();
    await expectCleanShutdown(api);
  });
});

/** Resolves once some connection to Redis at `url` subscribes to the API's live-events channel. */
async function untilSubscribedAgain(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await waitFor(
      "the API to subscribe to live events again",
      async () => {
        const [, subscribers] = (await client.pubsub("NUMSUB", "agridao:live-events")) as [string, number];
        return subscribers > 0 ? true : undefined;
      },
      { timeoutMs: PATIENCE_MS, intervalMs: 50 },
    );
  } finally {
    client.disconnect();
  }
}

/** The checkouts of each phase of the burst: BEFORE, CUT and LATE of them. */
function phases<T>(items: T[]): [T[], T[], T[]] {
  return [items.slice(0, BEFORE), items.slice(BEFORE, BEFORE + CUT), items.slice(BEFORE + CUT)];
}

/** The start of the next whole second: Stripe's `created` filters count in seconds, so earlier tests stay out. */
async function nextSecond(): Promise<Date> {
  await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 5));
  return new Date(Math.floor(Date.now() / 1_000) * 1_000);
}
