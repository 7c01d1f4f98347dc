import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import pg from "pg";
import Stripe from "stripe";

import { createAccessTokens } from "../api/src/auth/access-tokens.js";
import { migrate as migrateIndexer } from "../indexer/src/migrations.js";
import { createLocalStripeServer } from "../scripts/local-stripe/create-local-stripe-server.js";

import { seedBenchCatalog } from "./api-seed.js";
import { runFlowLoad, timed } from "./flow-load.js";
import { runHttpLoad } from "./http-load.js";
import type { HttpLoadResult } from "./http-load.js";
import { startLoggedProcess } from "./logged-process.js";
import type { LoggedProcess } from "./logged-process.js";
import { processCpuMs } from "./process-cpu.js";
import { waitFor } from "./wait-for.js";

// `npm run bench:api`: the API as production runs it (its own process, Redis-backed cache and rate limits, JSON
// logs) against a database seeded with 10,000 products, under autocannon at a fixed concurrency; a bare Koa app in
// the same run gives the ceiling.
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const DURATION_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const SERVER = { host: "127.0.0.1", port: 5432, user: "postgres" } as const;
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** Extra node flags for the API process, e.g. `--cpu-prof --cpu-prof-dir=bench/results` to profile it. */
const API_NODE_ARGS = (process.env.BENCH_API_NODE_ARGS ?? "").split(" ").filter(Boolean);
/** Comma-separated scenario names to run, in that order (default: all, in the order below). */
const ONLY = process.env.BENCH_SCENARIOS?.split(",");
/**
 * Load each scenario gets, unmeasured, before its measured run. Without it the first scenario of a run paid for the
 * API process's warm-up (JIT, first-time code paths, cold PostgreSQL buffers for the rows it touches): checkoutEscrow,
 * run first, measured 33 req/s against checkoutCard's 62, and with the two swapped the first was again the slower.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const BENCH_ESCROW_ADDRESS = "0x00000000000000000000000000000000000e5c00";
const BENCH_TOKEN_ADDRESS = "0x0000000000000000000000000000000000005dc0";
const STRIPE_KEY = "sk_test_bench";
const WEBHOOK_SECRET = `whsec_${randomBytes(16).toString("hex")}`;
const JWT = { secret: randomBytes(32).toString("hex"), issuer: "agridao-api", audience: "agridao" };

const resultsDir = path.join(import.meta.dirname, "results");
await mkdir(resultsDir, { recursive: true });
const log = (line: string) => console.log(`[bench:api] ${line}`);

const databaseName = `agridao_bench_api_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ ...SERVER, database: "postgres" });
await admin.connect();
await admin.query(`CREATE DATABASE ${databaseName}`);
const databaseUrl = `postgres://postgres@127.0.0.1:5432/${databaseName}`;
const processes: LoggedProcess[] = [];

// Card payments go to the local Stripe stand-in. It has no webhook endpoint: the webhook scenario posts its events
// itself, so their delivery is what is measured.
const localStripe = await createLocalStripeServer({ expirySweepMs: 0 });
const stripe = new Stripe(STRIPE_KEY, { ...localStripe.stripeConfig, maxNetworkRetries: 0 });

try {
  const apiPort = 4600 + Math.floor(Math.random() * 300);
  const helloPort = apiPort + 1;
  const api = startLoggedProcess({
    command: process.execPath,
    args: [...API_NODE_ARGS, "--import", "tsx", "api/src/main.ts"],
    env: {
      NODE_ENV: "production",
      API_HOST: "127.0.0.1",
      API_PORT: String(apiPort),
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: "20",
      REDIS_URL,
      // Readiness is not measured here; the chain is not needed by the routes under load.
      CHAIN_ID: "31337",
      CHAIN_RPC_URL: "http://127.0.0.1:8545",
      JWT_SECRET: JWT.secret,
      SIWE_URI: "http://localhost:5173",
      // Every request still goes through the Redis sliding window; the limit is only raised out of the way.
      RATE_LIMIT_DEFAULT_PER_MINUTE: "100000000",
      // Each buyer checks out again and again without paying: the cap on open checkouts is raised out of the way too.
      CHECKOUT_MAX_OPEN_PER_BUYER: "1000",
      LOG_LEVEL: "info",
      UPLOAD_DIR: path.join(resultsDir, "api-uploads"),
      // Checkout only encodes the escrow call; no chain is needed for it.
      ESCROW_ADDRESS: BENCH_ESCROW_ADDRESS,
      ESCROW_TOKEN_ADDRESS: BENCH_TOKEN_ADDRESS,
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: localStripe.url,
    },
    logFile: path.join(resultsDir, "api-process.log"),
  });
  processes.push(api);
  await waitFor(
    "the API's /health",
    async () => ((await fetch(`http://127.0.0.1:${apiPort}/health`)).ok ? true : undefined),
    {
      timeoutMs: 120_000,
      intervalMs: 200,
    },
  );
  log(`API up on ${apiPort}; seeding ${PRODUCTS} products…`);

  const db = new pg.Pool({ ...SERVER, database: databaseName, max: 2 });
  const catalog = await seedBenchCatalog(db, { farms: 200, products: PRODUCTS, buyers: CONNECTIONS });
  // The indexer shares the database in production: the cart reads the fee in force from its escrow terms.
  const indexerClient = await db.connect();
  try {
    await migrateIndexer(indexerClient);
  } finally {
    indexerClient.release();
  }
  await db.query(
    `INSERT INTO indexer.escrow_terms
       (chain_id, first_order_id, fee_bps, ship_window, confirm_window, arbitration_timeout, updated_block)
     VALUES (31337, 1, 250, 259200, 259200, 604800, 1)`,
  );
  // Escrow checkout pays each farm's payout wallet.
  await db.query(
    `UPDATE farms SET payout_wallet = '0x' || lpad(to_hex(n), 40, '0')
     FROM (SELECT id, row_number() OVER (ORDER BY slug) AS n FROM farms) numbered WHERE farms.id = numbered.id`,
  );
  // As autovacuum would soon after a bulk load: statistics for the planner, and the GIN search index's pending
  // list merged (until then the planner rightly prefers scanning every product to searching the index).
  await db.query("VACUUM ANALYZE");
  await db.end();

  const hello = startLoggedProcess({
    command: process.execPath,
    args: ["--import", "tsx", "bench/koa-hello.ts", String(helloPort)],
    env: {},
    logFile: path.join(resultsDir, "koa-hello.log"),
  });
  processes.push(hello);
  await waitFor(
    "the Koa hello server",
    async () => ((await fetch(`http://127.0.0.1:${helloPort}/`)).ok ? true : undefined),
    {
      timeoutMs: 30_000,
      intervalMs: 200,
    },
  );

  const tokens = createAccessTokens({ ...JWT, secret: new TextEncoder().encode(JWT.secret), ttlSeconds: 3_600 });
  const buyerTokens = await Promise.all(catalog.buyerIds.map((id) => tokens.issue({ id, roles: ["buyer"] })));
  const pick = <T>(values: readonly T[]) => values[Math.floor(Math.random() * values.length)];
  const base = `http://127.0.0.1:${apiPort}`;
  const load = { connections: CONNECTIONS, durationSeconds: DURATION_SECONDS };

  const checkoutKeys: Record<"escrow" | "card", string[]> = { escrow: [], card: [] };
  const flow = { workers: CONNECTIONS, durationSeconds: DURATION_SECONDS };

  /**
   * A buyer fills a cart with two products (usually of two farms), then checks it out; only the checkout is measured
   * (for a card, it includes creating the Stripe Checkout Session).
   */
  const checkoutIteration = (paymentMethod: "escrow" | "card") => async (worker: number) => {
    const authorization = `Bearer ${buyerTokens[worker % buyerTokens.length].token}`;
    const json = { authorization, "content-type": "application/json" };
    const first = Math.floor(Math.random() * catalog.productIds.length);
    const second =
      (first + 1 + Math.floor(Math.random() * (catalog.productIds.length - 1))) % catalog.productIds.length;
    for (const [index, quantity] of [
      [first, 1],
      [second, 2],
    ]) {
      const added = await fetch(`${base}/api/cart/items/${catalog.productIds[index]}`, {
        method: "PUT",
        headers: json,
        body: JSON.stringify({ quantity }),
      });
      await added.arrayBuffer();
      if (!added.ok) return { ok: false, latencyMs: 0 };
    }
    const key = randomUUID();
    const { response, latencyMs } = await timed(() =>
      fetch(`${base}/api/checkout`, {
        method: "POST",
        headers: { ...json, "idempotency-key": key },
        body: JSON.stringify({ paymentMethod }),
      }),
    );
    if (response.status === 201) checkoutKeys[paymentMethod].push(key);
    return { ok: response.status === 201, latencyMs };
  };

  /**
   * Pays every card checkout's session on the local Stripe, then posts each resulting event to the API's webhook
   * twice (Stripe delivers at least once), signed as Stripe signs, from `CONNECTIONS` concurrent senders.
   */
  async function deliverCardPayments(): Promise<HttpLoadResult> {
    const sessionDb = new pg.Client({ ...SERVER, database: databaseName });
    await sessionDb.connect();
    const { rows } = await sessionDb.query<{ stripe_session_id: string }>(
      "SELECT stripe_session_id FROM checkouts WHERE stripe_session_id IS NOT NULL",
    );
    await sessionDb.end();
    const since = Math.floor(Date.now() / 1000) - 1;
    for (const row of rows) {
      const paid = localStripe.paySession(row.stripe_session_id, { number: "4242424242424242" });
      if (paid.status !== "succeeded") throw new Error(`paying ${row.stripe_session_id}: ${paid.status}`);
    }
    const events: Stripe.Event[] = [];
    for await (const event of stripe.events.list({ created: { gte: since }, limit: 100 })) events.push(event);
    const deliveries = events.flatMap((event) => [event, event]);
    log(`stripeWebhooks: ${rows.length} sessions paid, ${events.length} events, ${deliveries.length} deliveries…`);
    let next = 0;
    const result = await runFlowLoad({
      workers: CONNECTIONS,
      durationSeconds: 3_600,
      until: () => next >= deliveries.length,
      iteration: async () => {
        const event = deliveries[next++];
        const payload = JSON.stringify(event);
        const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
        const { response, latencyMs } = await timed(() =>
          fetch(`${base}/api/stripe/webhook`, {
            method: "POST",
            headers: { "content-type": "application/json", "stripe-signature": signature },
            body: payload,
          }),
        );
        return { ok: response.ok, latencyMs };
      },
    });
    webhookEvents.push(...events.map((event) => event.id));
    return result;
  }
  const webhookEvents: string[] = [];

  /** Each scenario's load for the given seconds; `stripeWebhooks` delivers a fixed set of events and takes none. */
  const scenarios: [string, (durationSeconds: number) => Promise<HttpLoadResult>][] = [
    ["koaHello", (durationSeconds) => runHttpLoad({ ...load, durationSeconds, url: `http://127.0.0.1:${helloPort}/` })],
    [
      "listProducts",
      (durationSeconds) => runHttpLoad({ ...load, durationSeconds, url: `${base}/api/products?limit=24` }),
    ],
    [
      "search",
      (durationSeconds) =>
        runHttpLoad({
          ...load,
          durationSeconds,
          url: `${base}/api/products`,
          // Two words and a price floor from a wide range: mostly distinct queries, so mostly cache misses.
          setupRequest: (request) => ({
            ...request,
            path: `/api/products?q=${pick(catalog.words)}+${pick(catalog.words)}&minPrice=${Math.floor(Math.random() * 4_000)}&limit=24`,
          }),
        }),
    ],
    [
      "productPage",
      (durationSeconds) =>
        runHttpLoad({
          ...load,
          durationSeconds,
          url: `${base}/api/products`,
          setupRequest: (request) => ({ ...request, path: `/api/products/${pick(catalog.productIds)}` }),
        }),
    ],
    [
      "addToCart",
      (durationSeconds) =>
        runHttpLoad({
          ...load,
          durationSeconds,
          url: `${base}/api/cart/items`,
          method: "PUT",
          headers: { "content-type": "application/json" },
          // One buyer per connection, as real shoppers: each cart's changes are serialized by its row lock.
          setupClient: (client, index) =>
            client.setHeaders({
              "content-type": "application/json",
              authorization: `Bearer ${buyerTokens[index % buyerTokens.length].token}`,
            }),
          setupRequest: (request) => ({
            ...request,
            path: `/api/cart/items/${pick(catalog.productIds.slice(0, 50))}`,
            body: JSON.stringify({ quantity: 1 + Math.floor(Math.random() * 5) }),
          }),
        }),
    ],
    [
      "checkoutEscrow",
      (durationSeconds) => runFlowLoad({ ...flow, durationSeconds, iteration: checkoutIteration("escrow") }),
    ],
    [
      "checkoutCard",
      (durationSeconds) => runFlowLoad({ ...flow, durationSeconds, iteration: checkoutIteration("card") }),
    ],
    ["stripeWebhooks", () => deliverCardPayments()],
  ];

  // The cached listing is filled before any scenario; each scenario is then warmed up by a run of its own.
  await fetch(`${base}/api/products?limit=24`);
  const results: Record<string, HttpLoadResult & { ratioToKoaHello: number; serverCpuUsPerRequest: number }> = {};
  const selected =
    ONLY === undefined
      ? scenarios
      : ONLY.map((name) => {
          const scenario = scenarios.find(([known]) => known === name);
          if (scenario === undefined) throw new Error(`BENCH_SCENARIOS names an unknown scenario: ${name}`);
          return scenario;
        });
  for (const [name, run] of selected) {
    if (WARMUP_SECONDS > 0 && name !== "stripeWebhooks") {
      log(`${name}: warming up for ${WARMUP_SECONDS} s…`);
      await run(WARMUP_SECONDS);
    }
    log(`${name}: ${CONNECTIONS} connections for ${DURATION_SECONDS} s…`);
    const server = name === "koaHello" ? hello : api;
    const cpuBefore = await processCpuMs(server.pid);
    const result = await run(DURATION_SECONDS);
    const cpuMs = (await processCpuMs(server.pid)) - cpuBefore;
    const ceiling = results.koaHello?.reqPerSec ?? result.reqPerSec;
    results[name] = {
      ...result,
      ratioToKoaHello: Math.round((result.reqPerSec / ceiling) * 100) / 100,
      serverCpuUsPerRequest: Math.round((cpuMs * 1_000) / Math.max(1, result.requests)),
    };
  }

  const integrity =
    ONLY === undefined || ONLY.some((name) => name.startsWith("checkout")) ? await checkCheckouts() : undefined;

  console.table(
    Object.fromEntries(
      Object.entries(results).map(([name, r]) => [
        name,
        {
          "req/s": r.reqPerSec,
          "p50 ms": r.p50Ms,
          "p95 ms": r.p95Ms,
          "p99 ms": r.p99Ms,
          errors: r.errors,
          "× ceiling": r.ratioToKoaHello,
          "server CPU µs/req": r.serverCpuUsPerRequest,
        },
      ]),
    ),
  );
  const listing = results.listProducts as (typeof results)[string] | undefined;
  if (listing !== undefined) {
    log(
      `goal: cached listing ≥ 0.5 × bare Koa (${listing.ratioToKoaHello}) and p95 < 50 ms at ${CONNECTIONS} connections (${listing.p95Ms} ms): ` +
        (listing.ratioToKoaHello >= 0.5 && listing.p95Ms < 50 ? "met" : "not met"),
    );
  }
  if (integrity !== undefined) {
    log(
      `checkouts: ${integrity.accepted} accepted, ${integrity.stored} stored ` +
        `(${integrity.lost} lost, ${integrity.duplicated} duplicated); ${integrity.replays} replays created nothing new: ` +
        (integrity.replayedNothing ? "yes" : "NO"),
    );
    log(
      `card: ${integrity.cardOrdersPaid} of ${integrity.cardOrders} orders paid, payment recorded ` +
        `${integrity.cardPaymentsRecorded} times; ${integrity.webhookEventsApplied} of ` +
        `${integrity.webhookEventsDelivered} events applied (each delivered twice)`,
    );
  }
  const file = path.join(resultsDir, "api.json");
  await writeFile(
    file,
    `${JSON.stringify({ products: PRODUCTS, connections: CONNECTIONS, durationSeconds: DURATION_SECONDS, ...results, checkoutIntegrity: integrity }, null, 2)}\n`,
  );
  log(`wrote ${path.relative(process.cwd(), file)}`);

  /**
   * Every accepted checkout is stored once, no farm's order twice in one checkout, replaying keys creates nothing, and
   * every card order whose payment events were delivered (twice each) is paid, with its payment recorded once.
   */
  async function checkCheckouts() {
    const checkDb = new pg.Client({ ...SERVER, database: databaseName });
    await checkDb.connect();
    const counts = async () => {
      const { rows } = await checkDb.query<{ checkouts: string; items: string; orders: string; twice: string }>(
        `SELECT (SELECT count(*) FROM checkouts) AS checkouts, (SELECT count(*) FROM orders) AS orders,
                (SELECT coalesce(sum(quantity), 0) FROM order_items) AS items,
                (SELECT count(*) FROM (SELECT 1 FROM orders GROUP BY checkout_id, farm_id HAVING count(*) > 1) d) AS twice`,
      );
      return rows[0];
    };
    try {
      const before = await counts();
      const replays = [...checkoutKeys.escrow.slice(0, 10), ...checkoutKeys.card.slice(0, 10)];
      for (const key of replays) {
        // A replay needs no cart: it answers from the stored checkout, whatever the cart now holds.
        const { rows } = await checkDb.query<{ buyer_id: string; payment_method: string }>(
          `SELECT buyer_id, (SELECT payment_method FROM orders WHERE checkout_id = checkouts.id LIMIT 1) AS payment_method
             FROM checkouts WHERE idempotency_key_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')`,
          [key],
        );
        if (rows.length === 0) continue;
        const token = await tokens.issue({ id: rows[0].buyer_id, roles: ["buyer"] });
        const replay = await fetch(`${base}/api/checkout`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${token.token}`,
            "content-type": "application/json",
            "idempotency-key": key,
          },
          body: JSON.stringify({ paymentMethod: rows[0].payment_method }),
        });
        await replay.arrayBuffer();
      }
      const after = await counts();
      const accepted = checkoutKeys.escrow.length + checkoutKeys.card.length;
      const stored = Number(before.checkouts);
      const { rows: card } = await checkDb.query<{ orders: string; paid: string; paid_events: string; stored: string }>(
        `SELECT (SELECT count(*) FROM orders WHERE payment_method = 'card') AS orders,
                (SELECT count(*) FROM orders WHERE payment_method = 'card' AND status = 'paid') AS paid,
                (SELECT count(*) FROM order_events e JOIN orders o ON o.id = e.order_id
                  WHERE o.payment_method = 'card' AND e.kind = 'paid') AS paid_events,
                (SELECT count(*) FROM stripe_events WHERE processed_at IS NOT NULL) AS stored`,
      );
      return {
        accepted,
        stored,
        orders: Number(before.orders),
        items: Number(before.items),
        lost: Math.max(0, accepted - stored),
        duplicated: Math.max(0, stored - accepted) + Number(before.twice),
        replays: replays.length,
        replayedNothing: JSON.stringify(before) === JSON.stringify(after),
        cardOrders: Number(card[0].orders),
        cardOrdersPaid: Number(card[0].paid),
        cardPaymentsRecorded: Number(card[0].paid_events),
        webhookEventsDelivered: webhookEvents.length,
        webhookEventsApplied: Number(card[0].stored),
      };
    } finally {
      await checkDb.end();
    }
  }
} finally {
  for (const child of processes.toReversed()) await child.stop();
  await localStripe.close();
  await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  await admin.end();
}
