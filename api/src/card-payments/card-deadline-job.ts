import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";

import type { CardDisputeTimeouts } from "../disputes/card-dispute-timeouts.js";
import { startPeriodicJob } from "../jobs/periodic-job.js";
import type { CardDelivery } from "./card-delivery.js";
import type { CardRefunds } from "./card-refunds.js";
import type { FarmPayouts } from "./farm-payouts.js";
import type { CardTerms } from "./read-card-terms.js";

/** What one run of the card deadline job did. */
export interface CardDeadlineRun {
  /** Shipped orders confirmed after the confirm window. */
  confirmed: number;
  /** Paid orders refunded because they missed their ship deadline. */
  refundedUnshipped: number;
  /** Disputes given the default outcome at their deadline. */
  disputesTimedOut: number;
  /** Refunds still requested (their answer was lost) issued again under their key. */
  refundsIssued: number;
  /** Farm share reversals whose outcome was unknown, now decided. */
  reversalsDecided: number;
}

export interface CardDeadlineJob {
  runOnce(): Promise<CardDeadlineRun>;
  stop(): Promise<void>;
}

/**
 * Card orders keep the escrow's deadlines, every `intervalMs`: a shipped order the buyer neither confirmed nor disputed
 * within the confirm window is confirmed; a paid order not shipped within the ship window is refunded in full; a
 * dispute without a ruling by its deadline gets the default outcome. It also finishes money movements left half-way:
 * refunds still waiting for Stripe's answer, reversals whose outcome was unknown, and accrued payables of farms whose
 * account is ready. Safe with several API processes: due orders are claimed with FOR UPDATE SKIP LOCKED, and each
 * step re-checks its order under its own lock.
 */
export function startCardDeadlineJob(deps: {
  delivery: CardDelivery;
  disputes: CardDisputeTimeouts;
  refunds: Pick<CardRefunds, "issueOutstanding">;
  /** Accrued payables of farms whose account is ready are retried each run (a transfer that failed before). */
  payouts: FarmPayouts;
  terms: () => Promise<CardTerms>;
  fork: () => EntityManager;
  intervalMs: number;
  log: Logger;
  now?: () => Date;
  schedule?: boolean;
}): CardDeadlineJob {
  const now = deps.now ?? (() => new Date());

  /** Runs `step` on every order the query claims, in batches, until a batch does nothing; how many it did. */
  async function sweep(query: string, params: unknown[], step: (orderId: string) => Promise<boolean>) {
    let total = 0;
    for (;;) {
      const claimed = await deps.fork().transactional(async (tx) => {
        const rows = await tx.execute<{ id: string }[]>(query, params);
        return rows.map((row) => row.id);
      });
      let done = 0;
      for (const id of claimed) {
        const did = await step(id).catch((error: unknown) => {
          deps.log.warn({ err: error, orderId: id }, "a card order deadline step failed; it is retried next run");
          return false;
        });
        if (did) done += 1;
      }
      total += done;
      if (claimed.length === 0 || done === 0) return total;
    }
  }

  async function run(): Promise<CardDeadlineRun> {
    const terms = await deps.terms();
    const at = now();
    const confirmed = await sweep(
      `SELECT o.id FROM orders o
        WHERE o.status = 'shipped' AND o.payment_method = 'card' AND o.deleted_at IS NULL AND o.shipped_at <= ?
        ORDER BY o.shipped_at LIMIT 20 FOR UPDATE OF o SKIP LOCKED`,
      [new Date(at.getTime() - terms.confirmWindowMs)],
      (id) => deps.delivery.autoConfirm(id),
    );
    const refundedUnshipped = await sweep(
      `SELECT o.id FROM orders o
        WHERE o.status = 'paid' AND o.payment_method = 'card' AND o.deleted_at IS NULL AND o.ship_by < ?
        ORDER BY o.ship_by LIMIT 20 FOR UPDATE OF o SKIP LOCKED`,
      [at],
      (id) => deps.delivery.refundUnshipped(id),
    );
    const disputesTimedOut = await deps.disputes.resolveOverdue();
    const refundsIssued = await deps.refunds.issueOutstanding(deps.intervalMs);
    const reversalsDecided = await deps.payouts.confirmReversals(deps.fork);
    const report = { confirmed, refundedUnshipped, disputesTimedOut, refundsIssued, reversalsDecided };
    if (Object.values(report).some((count) => count > 0)) deps.log.info(report, "card order deadlines worked");
    const farms = await deps.fork().execute<{ farm_id: string }[]>(
      `SELECT DISTINCT p.farm_id FROM farm_payables p
         JOIN farm_stripe_accounts a ON a.farm_id = p.farm_id AND a.charges_enabled AND a.payouts_enabled
        WHERE p.status = 'accrued'`,
    );
    for (const { farm_id } of farms) {
      await deps.payouts
        .payFarm(deps.fork(), farm_id)
        .catch((error: unknown) => deps.log.warn({ err: error, farmId: farm_id }, "paying accrued payables failed"));
    }
    return report;
  }

  return startPeriodicJob({
    run,
    intervalMs: deps.intervalMs,
    schedule: deps.schedule,
    onError: (error) => deps.log.error({ err: error }, "card order deadlines failed"),
  });
}
