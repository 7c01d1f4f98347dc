import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";

import { MikroORM } from "@mikro-orm/postgresql";
import { Redis } from "ioredis";

import { createApiMetrics } from "../../api/src/api-metrics.js";
import type { ApiMetrics } from "../../api/src/api-metrics.js";
import { createApp } from "../../api/src/app.js";
import type { AppDeps } from "../../api/src/app.js";
import { createAccessTokens } from "../../api/src/auth/access-tokens.js";
import type { AccessTokens } from "../../api/src/auth/access-tokens.js";
import { loadApiConfig } from "../../api/src/config.js";
import type { ApiConfig } from "../../api/src/config.js";
import { createOrmConfig } from "../../api/src/database/orm-config.js";
import { runMigrations } from "../../api/src/database/run-migrations.js";
import { createLogger } from "../../api/src/logger.js";
import { createLiveServices } from "../../api/src/notifications/live-services.js";
import type { LiveServices } from "../../api/src/notifications/live-services.js";
import { createMemoryStore } from "../../api/src/stores/memory-store.js";
import { createRedisStore } from "../../api/src/stores/redis-store.js";
import type { Store } from "../../api/src/stores/store.js";
import { createTestDatabase } from "./database.js";
import type { TestDatabase } from "./database.js";

/** The JWT secret every test app signs with, so tests can mint tokens through `accessTokens`. */
export const TEST_JWT_SECRET = "test-only-secret-that-is-long-enough-for-hs256";

export interface ApiAppOptions {
  /**
   * Environment overrides on top of the test defaults (chain 31337, RPC at 127.0.0.1:8545, debug logs, a stablecoin
   * of 6 decimals).
   */
  env?: Record<string, string>;
  /** `redis` uses the local Redis under a key prefix of this run's own; `memory` (default) the in-process store. */
  store?: "redis" | "memory";
  rateLimitPolicies?: AppDeps["rateLimitPolicies"];
  extraRoutes?: AppDeps["extraRoutes"];
  fetch?: AppDeps["fetch"];
  cardRulings?: AppDeps["cardRulings"];
  /** Another API instance of the same deployment: this one then uses its database and its Redis key prefix. */
  peer?: ApiTestApp;
  /** Aborting it shuts the app down as main.ts does on SIGTERM (open event streams are closed). */
  shutdown?: AbortSignal;
  /** The API reaches the shared PostgreSQL through this port on 127.0.0.1 (a proxy in front of it) instead of 5432. */
  databasePort?: number;
}

export interface ApiTestApp {
  /** Base URL of the listening server, e.g. `http://127.0.0.1:53121`. */
  url: string;
  /** `fetch` against the server: `await api.request("/api/x", { method: "POST", body })`. */
  request(path: string, init?: RequestInit): Promise<Response>;
  config: ApiConfig;
  orm: MikroORM;
  store: Store;
  metrics: ApiMetrics;
  /** Tokens signed with the app's secret: `await api.accessTokens.issue({ id, roles: ["farmer"] })`. */
  accessTokens: AccessTokens;
  /** Every JSON log line the app wrote, parsed, in order. */
  logs: Record<string, unknown>[];
  database: TestDatabase;
  /** Keys and pub/sub channels of this app in the local Redis start with this (with `store: "redis"`). */
  redisPrefix: string;
  /** This instance's notification service and event streams: `api.live.notifications.transaction(...)`. */
  live: LiveServices;
  /** Stops the server and drops the database (and this run's Redis keys). Call it in `after`. */
  close(): Promise<void>;
}

/**
 * Starts the API as production does (migrations applied, full middleware stack) on a fresh database and a free
 * port. Typical use:
 *
 *   let api: ApiTestApp;
 *   before(async () => { api = await startApiApp(); });
 *   after(() => api.close());
 */
export async function startApiApp(options: ApiAppOptions = {}): Promise<ApiTestApp> {
  const database = options.peer?.database ?? (await createTestDatabase("agridao_api_test"));
  const config = loadApiConfig({
    DATABASE_URL: `postgres://postgres@127.0.0.1:${options.databasePort ?? 5432}/${database.name}`,
    CHAIN_ID: "31337",
    CHAIN_RPC_URL: "http://127.0.0.1:8545",
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: "debug",
    // Set, as in-process apps do not read the chain at start-up (main.ts does: confirmEscrowToken).
    ESCROW_TOKEN_DECIMALS: "6",
    ...options.env,
  });
  const logs: Record<string, unknown>[] = [];
  const log = createLogger({
    level: config.logLevel,
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const orm = await MikroORM.init(
    createOrmConfig({ databaseUrl: config.databaseUrl, poolMax: 4, timeouts: config.databaseTimeouts }),
  );
  if (options.peer === undefined) await runMigrations(orm);

  const prefix = options.peer?.redisPrefix ?? `agridao-test:${randomBytes(6).toString("hex")}:`;
  const redis = options.store === "redis" ? new Redis("redis://127.0.0.1:6379") : undefined;
  const store = redis === undefined ? createMemoryStore() : createRedisStore({ redis, prefix });
  const metrics = createApiMetrics();
  const accessTokens = createAccessTokens({
    secret: config.jwt.secret,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    ttlSeconds: config.jwt.accessTtlSeconds,
  });
  const live = createLiveServices({ config, store, metrics, log });
  const app = createApp({
    config,
    orm,
    store,
    log,
    metrics,
    accessTokens,
    rateLimitPolicies: options.rateLimitPolicies,
    extraRoutes: options.extraRoutes,
    fetch: options.fetch,
    cardRulings: options.cardRulings,
    live,
    shutdown: options.shutdown,
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    request: (path, init) => fetch(`${url}${path}`, init),
    config,
    orm,
    store,
    metrics,
    accessTokens,
    logs,
    database,
    redisPrefix: prefix,
    live,
    async close() {
      live.streams.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      if (redis !== undefined && options.peer === undefined) {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      }
      await redis?.quit();
      await orm.close();
      if (options.peer === undefined) await database.drop();
    },
  };
}
