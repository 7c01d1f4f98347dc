import { parseArgs } from "node:util";

import { MikroORM } from "@mikro-orm/postgresql";
import { Redis } from "ioredis";
import { pino } from "pino";

import { createApiMetrics } from "../api/src/api-metrics.js";
import { createCardPayments } from "../api/src/card-payments/card-payments.js";
import { reconcileStripe } from "../api/src/card-payments/reconcile-stripe.js";
import { loadApiConfig } from "../api/src/config.js";
import { createOrmConfig } from "../api/src/database/orm-config.js";
import { runMigrations } from "../api/src/database/run-migrations.js";
import { createLiveServices } from "../api/src/notifications/live-services.js";
import { createMemoryStore } from "../api/src/stores/memory-store.js";
import { createRedisStore } from "../api/src/stores/redis-store.js";

// `npm run stripe:reconcile -- --from <ISO> --to <ISO>` (default: the last 24 hours), with the API's settings.
// Applies every event of the window the database missed or failed to apply, prints the differences that remain as
// JSON, stores the run (GET /api/admin/reconciliation) and exits 2 when there are any, so a scheduler can alert.
const { values } = parseArgs({ options: { from: { type: "string" }, to: { type: "string" } } });
const to = values.to === undefined ? new Date() : new Date(values.to);
const from = values.from === undefined ? new Date(to.getTime() - 86_400_000) : new Date(values.from);
if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from > to) {
  console.error("--from and --to must be ISO dates, --from not after --to");
  process.exit(1);
}

const config = loadApiConfig();
const log = pino({ base: { service: "stripe-reconcile" }, level: config.logLevel });
// Each statement of a reconciliation is short (the run is long for its Stripe calls, made outside transactions):
// the API's timeouts keep a silent connection from hanging the run.
const orm = await MikroORM.init(
  createOrmConfig({ databaseUrl: config.databaseUrl, poolMax: 2, timeouts: config.databaseTimeouts }),
);
const redis = config.redisUrl === undefined ? undefined : new Redis(config.redisUrl);
const store = redis === undefined ? createMemoryStore() : createRedisStore({ redis });
try {
  await runMigrations(orm);
  const live = createLiveServices({ config, store, metrics: createApiMetrics(), log });
  const card = createCardPayments({
    config,
    fork: () => orm.em.fork(),
    notifications: live.notifications,
    // A cached product page refreshes within CATALOG_CACHE_TTL_SECONDS; this command has no cache to clear.
    onStockChanged: () => Promise.resolve(),
    log,
  });
  if (card === undefined) {
    console.error("STRIPE_SECRET_KEY is not set: there is no Stripe account to reconcile with");
    process.exitCode = 1;
  } else {
    const result = await reconcileStripe(
      orm.em.fork(),
      { stripe: card.stripe, webhooks: card.events, refunds: card.refunds },
      { from, to },
    );
    console.log(JSON.stringify(result, null, 2));
    if (result.differences.length > 0) process.exitCode = 2;
  }
} finally {
  await store.close();
  await redis?.quit();
  await orm.close();
}
