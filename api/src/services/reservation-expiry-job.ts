import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";

import { Order } from "../entities/Order.js";
import type { NotificationService } from "./notification-service.js";
import { startPeriodicJob } from "./periodic-job.js";
import { releaseOrderStock } from "./release-order-stock.js";

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
 * and neither waits on the other. An escrow order the indexer already saw paid on-chain is left to the escrow
 * linker, which decides whether the payment came in time; once it flagged the payment, the order expires as usual.
 */
export function startReservationExpiryJob(deps: {
  /** A fresh entity manager per run. */
  fork: () => EntityManager;
  /** Each expired order's buyer is told, after the batch commits. */
  notifications: Pick<NotificationService, "transaction">;
  chainId: number;
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

  async function expireBatch(em: EntityManager, indexed: boolean, cardCheckouts: Set<string>): Promise<number> {
    return deps.notifications.transaction(em, async (tx, notify) => {
      const at = now();
      // A payment the indexer saw but the linker has not judged yet (no flag) may have come in time: leave it.
      const paidOnChain = indexed
        ? `AND NOT (o.payment_method = 'escrow'
             AND EXISTS (SELECT 1 FROM indexer.escrow_orders e WHERE e.chain_id = ? AND e.ref = o.escrow_ref)
             AND NOT EXISTS (SELECT 1 FROM order_flags f WHERE f.order_id = o.id))`
        : "";
      const rows = await tx.execute<{ id: string }[]>(
        `SELECT o.id FROM orders o
          WHERE o.status = 'awaiting_payment' AND o.expires_at <= ? ${paidOnChain}
          ORDER BY o.expires_at LIMIT ? FOR UPDATE OF o SKIP LOCKED`,
        indexed ? [at, deps.chainId, BATCH_SIZE] : [at, BATCH_SIZE],
      );
      for (const { id } of rows) {
        const order = await tx.findOneOrFail(Order, { id });
        await releaseOrderStock(tx, order, { status: "expired", actorId: null, at });
        if (order.paymentMethod === "card") cardCheckouts.add(order.checkout.id);
        notify({ userId: order.buyer.id, kind: "order_expired", orderId: order.id, data: {} });
      }
      return rows.length;
    });
  }

  async function run(): Promise<number> {
    const em = deps.fork();
    const [{ indexed }] = await em.execute<{ indexed: boolean }[]>(
      "SELECT to_regclass('indexer.escrow_orders') IS NOT NULL AS indexed",
    );
    let total = 0;
    const cardCheckouts = new Set<string>();
    for (;;) {
      const expired = await expireBatch(em.fork(), indexed, cardCheckouts);
      total += expired;
      if (expired < BATCH_SIZE) break;
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
