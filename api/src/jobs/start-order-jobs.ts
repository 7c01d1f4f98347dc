import type { MikroORM } from "@mikro-orm/postgresql";
import type { Logger } from "pino";

import { marketplaceEscrowConstants } from "../../../protocol/generated/contracts.js";
import { startCardDeadlineJob } from "../card-payments/card-deadline-job.js";
import { createCardPayments } from "../card-payments/card-payments.js";
import { createCatalogCache } from "../catalog/catalog-cache.js";
import { paymentInFlightGuardFor } from "../checkout/payment-in-flight-guard.js";
import { startReservationExpiryJob } from "../checkout/reservation-expiry-job.js";
import type { ApiConfig } from "../config.js";
import { createCardDisputeTimeouts } from "../disputes/card-dispute-timeouts.js";
import { startEvidencePhotoJob } from "../disputes/evidence-photo-job.js";
import { startEscrowLinkJob } from "../escrow/escrow-link-job.js";
import { createEscrowOrderLinker } from "../escrow/escrow-order-linker.js";
import type { IndexerAnnouncements } from "../notifications/indexer-announcements.js";
import type { NotificationService } from "../notifications/notification-service.js";
import { createDiskPhotoStore } from "../photos/photo-store.js";
import type { Store } from "../stores/store.js";

/** Retention is counted in days: looking every hour is plenty. */
const EVIDENCE_PHOTO_JOB_INTERVAL_MS = 60 * 60_000;

/**
 * The API process's background work on orders: expiring unpaid reservations, linking indexed escrow payments,
 * keeping dispute evidence photos private and within their retention (at start-up, then hourly) and, with card
 * payments on (STRIPE_SECRET_KEY), keeping card orders' deadlines (confirm, ship, dispute) and finishing card money
 * movements left half-way.
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
  const deadlines =
    card === undefined
      ? undefined
      : startCardDeadlineJob({
          delivery: card.delivery,
          disputes: createCardDisputeTimeouts({
            notifications,
            rulings: card.rulings,
            defaultShippedBuyerBps: marketplaceEscrowConstants.DEFAULT_SHIPPED_BUYER_BPS,
            fork,
          }),
          refunds: card.refunds,
          payouts: card.payouts,
          terms: card.terms,
          fork,
          intervalMs: config.stripe.jobIntervalMs,
          log,
        });
  const evidencePhotos = startEvidencePhotoJob({
    fork,
    stores: {
      evidenceStore: createDiskPhotoStore({ dir: config.disputes.evidenceDir }),
      publicStore: createDiskPhotoStore({ dir: config.uploadDir }),
    },
    retentionMs: config.disputes.evidenceRetentionMs,
    intervalMs: EVIDENCE_PHOTO_JOB_INTERVAL_MS,
    log,
  });
  // At once: evidence photos stored before they had a store of their own must not stay public until the first hour.
  evidencePhotos.runOnce().catch((error: unknown) => log.error({ err: error }, "dispute evidence photo job failed"));
  return {
    async stop() {
      await Promise.all([expiry.stop(), linking.stop(), deadlines?.stop(), evidencePhotos.stop()]);
    },
  };
}
