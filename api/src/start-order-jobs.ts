import type { MikroORM } from "@mikro-orm/postgresql";
import type { Logger } from "pino";

import type { ApiConfig } from "./config.js";
import { startCardAutoConfirmJob } from "./services/card-auto-confirm-job.js";
import { createCardPayments } from "./services/card-payments.js";
import { createCatalogCache } from "./services/catalog-cache.js";
import { startEscrowLinkJob } from "./services/escrow-link-job.js";
import { createEscrowOrderLinker } from "./services/escrow-order-linker.js";
import type { IndexerAnnouncements } from "./services/indexer-announcements.js";
import type { NotificationService } from "./services/notification-service.js";
import { paymentInFlightGuardFor } from "./services/payment-in-flight.js";
import { startReservationExpiryJob } from "./services/reservation-expiry-job.js";
import type { Store } from "./stores/store.js";

/**
 * The API process's background work on orders: expiring unpaid reservations, linking indexed escrow payments and,
 * with card payments on (STRIPE_SECRET_KEY), auto-confirming shipped card orders after the confirm window.
 * Every API process runs them all; they are written to be safe side by side. Returns how to stop them. Pass the
 * process's notification service (the one its event streams use) and, when it runs one, its indexer announcements.
 */
export function startOrderJobs(deps: {
  config: ApiConfig;
  orm: MikroORM;
  store: Store;
  log: Logger;
  notifications: NotificationService;
  announcements?: Pick<IndexerAnnouncements, "onAnnouncement">;
}) {
  const { config, orm, store, log, notifications } = deps;
  const catalogCache = createCatalogCache({
    cache: store.cache,
    keyValue: store.keyValue,
    pubSub: store.pubSub,
    ttlMs: config.catalogCacheTtlMs,
    onSubscribeError: (error) => log.warn({ err: error }, "catalog versions will be polled: pub/sub is unavailable"),
  });
  const fork = () => orm.em.fork();
  const card = createCardPayments({
    config,
    fork,
    notifications,
    onStockChanged: () => catalogCache.invalidate(),
    log,
  });
  const expiry = startReservationExpiryJob({
    fork,
    notifications,
    paymentInFlight: paymentInFlightGuardFor(config),
    intervalMs: config.checkout.expiryIntervalMs,
    log,
    onStockChanged: () => catalogCache.invalidate(),
    onCardOrdersExpired: card && ((em, checkoutIds) => card.sessions.closeUnpayable(em, checkoutIds)),
  });
  const linking = startEscrowLinkJob({
    linker: createEscrowOrderLinker({
      chainId: config.chainId,
      tokenAddress: config.escrow.tokenAddress,
      notifications,
      onStockChanged: () => catalogCache.invalidate(),
    }),
    fork,
    pubSub: store.pubSub,
    announcements: deps.announcements,
    chainId: config.chainId,
    intervalMs: config.escrow.linkIntervalMs,
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
