import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";

import { Order } from "../entities/Order.js";
import { startPeriodicJob } from "../jobs/periodic-job.js";
import type { NotificationService } from "../notifications/notification-service.js";
import { releaseOrderStock } from "../orders/release-order-stock.js";
import type { PaymentInFlightGuard } from "./payment-in-flight-guard.js";

/** Orders expired per transaction: a short transaction keeps the locks it holds brief. */
const BATCH_SIZE = 50;

export interface ReservationExpiryJob {
  /** Expires every order past its deadline now; resolves with how many it expired. */
  runOnce(): Promise<number>;
  /** Stops the interval and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Expires unpaid orders whose reservation ran out and returns their stock, every `intervalMs`. Safe with several API
 * processes: each batch takes its orders with FOR UPDATE SKIP LOCKED, so two processes never expire the same order
 * and neither waits on the other. An escrow order with a payment in flight (a transaction its buyer's wallet reported,
 * or an escrow order indexed from the buyer's wallet that the linker has not judged yet) is left alone: the same
 * guard refuses the buyer's cancel (see PaymentInFlightGuard). Once the linker judged the payment, or the report ran
 * out, the order expires as usual.
 */
export function startReservationExpiryJob(deps: {
  /** A fresh entity manager per run. */
  fork: () => EntityManager;
  /** Each expired order's buyer is told, after the batch commits. */
  notifications: Pick<NotificationService, "transaction">;
  paymentInFlight: PaymentInFlightGuard;
  intervalMs: number;
  log: Logger;
  onStockChanged: () => Promise<void>;
  /** Told the checkouts whose card orders it expired, after the commit (their Stripe sessions can be closed). */
  onCardOrdersExpired?: (em: EntityManager, checkoutIds: string[]) => Promise<unknown>;
  now?: () => Date;
  /** False to only expose runOnce (tests drive it by hand). */
  schedule?: boolean;
}): ReservationExpiryJob {
  const now = deps.now ?? (() => new Date());

  /** One batch after `after` (the last order the previous batch looked at): how many it looked at and expired. */
  async function expireBatch(
    em: EntityManager,
    after: { expiresAt: Date; id: string } | undefined,
    cardCheckouts: Set<string>,
  ): Promise<{ scanned: number; expired: number; last?: { expiresAt: Date; id: string } }> {
    return deps.notifications.transaction(em, async (tx, notify) => {
      const at = now();
      // Keyset order, so orders left alone (a payment in flight) never fill every later batch.
      const rows = await tx.execute<{ id: string; expires_at: Date }[]>(
        `SELECT o.id, o.expires_at FROM orders o
          WHERE o.status = 'awaiting_payment' AND o.expires_at <= ?
            ${after === undefined ? "" : "AND (o.expires_at, o.id) > (?, ?)"}
          ORDER BY o.expires_at, o.id LIMIT ? FOR UPDATE OF o SKIP LOCKED`,
        after === undefined ? [at, BATCH_SIZE] : [at, after.expiresAt, after.id, BATCH_SIZE],
      );
      const orders = rows.length === 0 ? [] : await tx.find(Order, { id: { $in: rows.map((row) => row.id) } });
      const inFlight = await deps.paymentInFlight.check(tx, orders, at);
      let expired = 0;
      for (const order of orders) {
        if (inFlight.has(order.id)) continue;
        await releaseOrderStock(tx, order, { status: "expired", actorId: null, at });
        if (order.paymentMethod === "card") cardCheckouts.add(order.checkout.id);
        notify({ userId: order.buyer.id, kind: "order_expired", orderId: order.id, data: {} });
        expired += 1;
      }
      const last = rows.at(-1);
      return {
        scanned: rows.length,
        expired,
        last: last === undefined ? undefined : { expiresAt: new Date(last.expires_at), id: last.id },
      };
    });
  }

  async function run(): Promise<number> {
    const em = deps.fork();
    let total = 0;
    const cardCheckouts = new Set<string>();
    let after: { expiresAt: Date; id: string } | undefined;
    for (;;) {
      const batch = await expireBatch(em.fork(), after, cardCheckouts);
      total += batch.expired;
      if (batch.scanned < BATCH_SIZE) break;
      after = batch.last;
    }
    if (total > 0) {
      deps.log.info({ expired: total }, "expired unpaid orders and returned their stock");
      await deps.onStockChanged();
    }
    if (cardCheckouts.size > 0) await deps.onCardOrdersExpired?.(em.fork(), [...cardCheckouts]);
    return total;
  }

  return startPeriodicJob({
    run,
    intervalMs: deps.intervalMs,
    schedule: deps.schedule,
    onError: (error) => deps.log.error({ err: error }, "reservation expiry failed"),
  });
}
