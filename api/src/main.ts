import { Redis } from "ioredis";
import { MikroORM } from "@mikro-orm/postgresql";
import { pino } from "pino";

import { createApiMetrics } from "./api-metrics.js";
import { createApp } from "./app.js";
import { loadApiConfig } from "./config.js";
import { createOrmConfig } from "./database/orm-config.js";
import { runMigrations } from "./database/run-migrations.js";
import { confirmEscrowToken } from "./escrow/confirm-escrow-token.js";
import { startOrderJobs } from "./jobs/start-order-jobs.js";
import { createLogger } from "./logger.js";
import { createIndexerAnnouncements } from "./notifications/indexer-announcements.js";
import { createLiveServices } from "./notifications/live-services.js";
import { createMemoryStore } from "./stores/memory-store.js";
import { createRedisStore } from "./stores/redis-store.js";

const loaded = loadApiConfig();
// Lines are written in batches of up to 4 KB rather than one write each (a write per request was a measurable share
// of a cached request), and at least every second, and on shutdown: only a crash can lose the last second of lines.
const logDestination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
setInterval(() => logDestination.flush(), 1_000).unref();
const log = createLogger({ level: loaded.logLevel, destination: logDestination });
// Before anything else: escrow amounts are computed with the stablecoin's decimals, which only the chain knows.
const config = await confirmEscrowToken(loaded, { log });
if (!config.jwt.configured) log.warn("JWT_SECRET is unset: using a random secret, so tokens die with this process");

// Migrations get a connection of their own without the request timeouts: a migration may rightly run for long.
const migrationOrm = await MikroORM.init(createOrmConfig({ databaseUrl: config.databaseUrl, poolMax: 1 }));
try {
  const applied = await runMigrations(migrationOrm);
  if (applied.length > 0) log.info({ applied }, "applied migrations");
} finally {
  await migrationOrm.close();
}
const orm = await MikroORM.init(
  createOrmConfig({
    databaseUrl: config.databaseUrl,
    poolMax: config.databasePoolMax,
    timeouts: config.databaseTimeouts,
  }),
);

const redis = config.redisUrl === undefined ? undefined : new Redis(config.redisUrl);
if (redis === undefined) log.warn("REDIS_URL is unset: cache, rate limits and pub/sub live in this process only");
const store = redis === undefined ? createMemoryStore() : createRedisStore({ redis });
const metrics = createApiMetrics();
const shutdown = new AbortController();
const live = createLiveServices({ config, store, metrics, log });
const indexerAnnouncements = createIndexerAnnouncements({
  chainId: config.chainId,
  redisUrl: config.redisUrl,
  databaseUrl: config.databaseUrl,
  streams: live.streams,
  log,
});
// Not awaited: without announcements pages still work, they just do not refresh by themselves, and the listener keeps
// retrying; an unreachable Redis or database must not hold the API's start-up.
indexerAnnouncements
  .start()
  .catch((error: unknown) => log.warn({ err: error }, "not receiving indexer announcements yet"));

const app = createApp({
  config,
  orm,
  store,
  log,
  metrics,
  rateLimitPolicies: {
    auth: { limit: config.rateLimits.authPer15Minutes, windowMs: 15 * 60_000 },
    default: { limit: config.rateLimits.defaultPerMinute, windowMs: 60_000 },
  },
  live,
  shutdown: shutdown.signal,
});
const orderJobs = startOrderJobs({
  config,
  orm,
  store,
  log,
  notifications: live.notifications,
  announcements: indexerAnnouncements,
});
const server = app.listen(config.port, config.host, () => {
  log.info({ host: config.host, port: config.port, store: store.kind }, "API listening");
});

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  // Event streams never finish by themselves: end them first, or closing the server would wait for them forever.
  shutdown.abort();
  await indexerAnnouncements.stop();
  // Stop accepting connections and let in-flight requests finish, then release the pools.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await orderJobs.stop();
  await store.close();
  await redis?.quit();
  await orm.close();
  log.info("stopped");
  logDestination.flushSync();
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        logDestination.flushSync();
        process.exit(1);
      },
    );
  });
}
