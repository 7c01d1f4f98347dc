import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import pg from "pg";

import { createAccessTokens } from "../api/src/services/access-tokens.js";
import { migrate as migrateIndexer } from "../indexer/src/migrations.js";

import { seedBenchCatalog } from "./api-seed.js";
import { runFlowLoad, timed } from "./flow-load.js";
import { runHttpLoad } from "./http-load.js";
import type { HttpLoadResult } from "./http-load.js";
import { startLoggedProcess } from "./logged-process.js";
import type { LoggedProcess } from "./logged-process.js";
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
/** Comma-separated scenario names to run (default: all). */
const ONLY = process.env.BENCH_SCENARIOS?.split(",");
const BENCH_ESCROW_ADDRESS = "0x00000000000000000000000000000000000e5c00";
const BENCH_TOKEN_ADDRESS = "0x0000000000000000000000000000000000005dc0";
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
      LOG_LEVEL: "info",
      UPLOAD_DIR: path.join(resultsDir, "api-uploads"),
      // Checkout only encodes the escrow call; no chain is needed for it.
      ESCROW_ADDRESS: BENCH_ESCROW_ADDRESS,
      ESCROW_TOKEN_ADDRESS: BENCH_TOKEN_ADDRESS,
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

  const checkoutKeys: string[] = [];
  const scenarios: [string, () => Promise<HttpLoadResult>][] = [
    ["koaHello", () => runHttpLoad({ ...load, url: `http://127.0.0.1:${helloPort}/` })],
    ["listProducts", () => runHttpLoad({ ...load, url: `${base}/api/products?limit=24` })],
    [
      "search",
      () =>
        runHttpLoad({
          ...load,
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
      () =>
        runHttpLoad({
          ...load,
          url: `${base}/api/products`,
          setupRequest: (request) => ({ ...request, path: `/api/products/${pick(catalog.productIds)}` }),
        }),
    ],
    [
      "addToCart",
      () =>
        runHttpLoad({
          ...load,
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
      () =>
        runFlowLoad({
          workers: CONNECTIONS,
          durationSeconds: DURATION_SECONDS,
          // A buyer fills a cart with two products (usually of two farms), then checks it out; only the checkout
          // is measured.
          iteration: async (worker) => {
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
                body: JSON.stringify({ paymentMethod: "escrow" }),
              }),
            );
            if (response.status === 201) checkoutKeys.push(key);
            return { ok: response.status === 201, latencyMs };
          },
        }),
    ],
  ];

  // Warm up each route (connection pools, JIT, the cached listing) before measuring it.
  await fetch(`${base}/api/products?limit=24`);
  const results: Record<string, HttpLoadResult & { ratioToKoaHello: number }> = {};
  for (const [name, run] of scenarios) {
    if (ONLY !== undefined && !ONLY.includes(name)) continue;
    log(`${name}: ${CONNECTIONS} connections for ${DURATION_SECONDS} s…`);
    const result = await run();
    const ceiling = results.koaHello?.reqPerSec ?? result.reqPerSec;
    results[name] = { ...result, ratioToKoaHello: Math.round((result.reqPerSec / ceiling) * 100) / 100 };
  }

  const integrity = ONLY === undefined || ONLY.includes("checkoutEscrow") ? await checkCheckouts() : undefined;

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
        },
      ]),
    ),
  );
  const listing = results.listProducts;
  log(
    `goal: cached listing ≥ 0.5 × bare Koa (${listing.ratioToKoaHello}) and p95 < 50 ms at ${CONNECTIONS} connections (${listing.p95Ms} ms): ` +
      (listing.ratioToKoaHello >= 0.5 && listing.p95Ms < 50 ? "met" : "not met"),
  );
  if (integrity !== undefined) {
    log(
      `checkouts: ${integrity.accepted} accepted, ${integrity.stored} stored with ${integrity.items} items ` +
        `(${integrity.lost} lost, ${integrity.duplicated} duplicated); ${integrity.replays} replays created nothing new: ` +
        (integrity.replayedNothing ? "yes" : "NO"),
    );
  }
  const file = path.join(resultsDir, "api.json");
  await writeFile(
    file,
    `${JSON.stringify({ products: PRODUCTS, connections: CONNECTIONS, durationSeconds: DURATION_SECONDS, ...results, checkoutIntegrity: integrity }, null, 2)}\n`,
  );
  log(`wrote ${path.relative(process.cwd(), file)}`);

  /**
   * Every accepted checkout is stored once, no farm's order twice in one checkout, and replaying keys creates
   * nothing: what the checkout scenarios must leave behind.
   */
  async function checkCheckouts() {
    const counts = async () => {
      const { rows } = await checkDb.query<{ checkouts: string; items: string; orders: string; twice: string }>(
        `SELECT (SELECT count(*) FROM checkouts) AS checkouts, (SELECT count(*) FROM orders) AS orders,
                (SELECT coalesce(sum(quantity), 0) FROM order_items) AS items,
                (SELECT count(*) FROM (SELECT 1 FROM orders GROUP BY checkout_id, farm_id HAVING count(*) > 1) d) AS twice`,
      );
      return rows[0];
    };
    const checkDb = new pg.Client({ ...SERVER, database: databaseName });
    await checkDb.connect();
    try {
      const before = await counts();
      const replayKeys = checkoutKeys.slice(0, 20);
      for (const key of replayKeys) {
        // A replay needs no cart: it answers from the stored checkout, whatever the cart now holds.
        const { rows } = await checkDb.query<{ buyer_id: string }>(
          "SELECT buyer_id FROM checkouts WHERE idempotency_key_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')",
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
          body: JSON.stringify({ paymentMethod: "escrow" }),
        });
        await replay.arrayBuffer();
      }
      const after = await counts();
      const stored = Number(before.checkouts);
      return {
        accepted: checkoutKeys.length,
        stored,
        orders: Number(before.orders),
        items: Number(before.items),
        lost: Math.max(0, checkoutKeys.length - stored),
        duplicated: Math.max(0, stored - checkoutKeys.length) + Number(before.twice),
        replays: replayKeys.length,
        replayedNothing: JSON.stringify(before) === JSON.stringify(after),
      };
    } finally {
      await checkDb.end();
    }
  }
} finally {
  for (const child of processes.toReversed()) await child.stop();
  await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  await admin.end();
}
