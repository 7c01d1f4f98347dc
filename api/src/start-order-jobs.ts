import type { MikroORM } from "@mikro-orm/postgresql";
import type { Logger } from "pino";

import type { ApiConfig } from "./config.js";
import { startCardAutoConfirmJob } from "./services/card-auto-confirm-job.js";
import { createCardPayments } from "./services/card-payments.js";
import { createCatalogCache } from "./services/catalog-cache.js";
import { startEscrowLinkJob } from "./services/escrow-link-job.js";
import { createEscrowOrderLinker } from "./services/escrow-order-linker.js";
import type { NotificationService } from "./services/notification-service.js";
import { startReservationExpiryJob } from "./services/reservation-expiry-job.js";
import type { Store } from "./stores/store.js";

/**
 * The API process's background work on orders: expiring unpaid reservations, linking indexed escrow payments and
 * auto-confirming card orders.
 * Every API process runs both; they are written to be safe side by side. Returns how to stop them.
 */
export function startOrderJobs(deps: {
  config: ApiConfig;
  orm: MikroORM;
  store: Store;
  log: Logger;
  /** With card payments on (STRIPE_SECRET_KEY), shipped card orders are auto-confirmed after the confirm window. */
  notifications?: NotificationService;
}) {
  const { config, orm, store, log } = deps;
  const catalogCache = createCatalogCache({
    cache: store.cache,
    keyValue: store.keyValue,
    pubSub: store.pubSub,
    ttlMs: config.catalogCacheTtlMs,
    onSubscribeError: (error) => log.warn({ err: error }, "catalog versions will be polled: pub/sub is unavailable"),
  });
  const fork = () => orm.em.fork();
  const expiry = startReservationExpiryJob({
    fork,
    chainId: config.chainId,
    intervalMs: config.checkout.expiryIntervalMs,
    log,
    onStockChanged: () => catalogCache.invalidate(),
  });
  const linking = startEscrowLinkJob({
    linker: createEscrowOrderLinker({ chainId: config.chainId, tokenAddress: config.escrow.tokenAddress }),
    fork,
    pubSub: store.pubSub,
    chainId: config.chainId,
    intervalMs: config.escrow.linkIntervalMs,
    log,
  });
  const card =
    deps.notifications === undefined
      ? undefined
      : createCardPayments({
          config,
          fork,
          notifications: deps.notifications,
          onStockChanged: () => catalogCache.invalidate(),
          log,
        });
  const autoConfirm =
    card === undefined
      ? undefined
      : startCardAutoConfirmJob({
          delivery: card.delivery,
          payouts: card.payouts,
          fork,
          chainId: config.chainId,
          fallbackWindowMs: config.stripe.autoConfirmFallbackMs,
          intervalMs: config.stripe.jobIntervalMs,
          log,
        });
  return {
    async stop() {
      await Promise.all([expiry.stop(), linking.stop(), autoConfirm?.stop()]);
    },
  };
}
