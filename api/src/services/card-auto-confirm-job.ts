import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";

import type { CardDelivery } from "./card-delivery.js";
import type { FarmPayouts } from "./farm-payouts.js";
import { startPeriodicJob } from "./periodic-job.js";

export interface CardAutoConfirmJob {
  /** Confirms every card order shipped longer ago than the confirm window; resolves with how many. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The confirm window of card orders: the escrow's (`indexer.escrow_terms.confirm_window`, seconds, for the chain's
 * latest terms), so both ways of paying give the buyer the same time; `fallbackMs` when the indexer has none.
 */
export async function readConfirmWindowMs(em: EntityManager, chainId: number, fallbackMs: number): Promise<number> {
  try {
    const [row] = await em.execute<{ confirm_window: string }[]>(
      `SELECT confirm_window::text AS confirm_window FROM indexer.escrow_terms
        WHERE chain_id = ? ORDER BY first_order_id DESC LIMIT 1`,
      [chainId],
    );
    return row === undefined ? fallbackMs : Number(row.confirm_window) * 1000;
  } catch {
    return fallbackMs;
  }
}

/**
 * Confirms shipped card orders whose buyer neither confirmed nor disputed within the confirm window, every
 * `intervalMs`, and pays farms' accrued payables whose accounts are ready. Safe with several API processes: due
 * orders are claimed with FOR UPDATE SKIP LOCKED, and each confirmation re-checks the order under its own lock.
 */
export function startCardAutoConfirmJob(deps: {
  delivery: CardDelivery;
  /** Accrued payables of farms whose account is ready are retried each run (a transfer that failed before). */
  payouts: FarmPayouts;
  fork: () => EntityManager;
  chainId: number;
  fallbackWindowMs: number;
  intervalMs: number;
  log: Logger;
  now?: () => Date;
  schedule?: boolean;
}): CardAutoConfirmJob {
  const now = deps.now ?? (() => new Date());

  async function run(): Promise<number> {
    const windowMs = await readConfirmWindowMs(deps.fork(), deps.chainId, deps.fallbackWindowMs);
    const cutoff = new Date(now().getTime() - windowMs);
    let total = 0;
    for (;;) {
      const claimed = await deps.fork().transactional(async (tx) => {
        const rows = await tx.execute<{ id: string }[]>(
          `SELECT o.id FROM orders o
            WHERE o.status = 'shipped' AND o.payment_method = 'card' AND o.deleted_at IS NULL
              AND EXISTS (SELECT 1 FROM order_events e
                           WHERE e.order_id = o.id AND e.kind = 'shipped' AND e.occurred_at <= ?)
            ORDER BY o.updated_at LIMIT 20 FOR UPDATE OF o SKIP LOCKED`,
          [cutoff],
        );
        return rows.map((row) => row.id);
      });
      if (claimed.length === 0) break;
      let confirmed = 0;
      for (const id of claimed) if (await deps.delivery.autoConfirm(id)) confirmed += 1;
      total += confirmed;
      if (confirmed === 0) break;
    }
    if (total > 0) deps.log.info({ confirmed: total }, "auto-confirmed delivered card orders");
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
    return total;
  }

  return startPeriodicJob({
    run,
    intervalMs: deps.intervalMs,
    schedule: deps.schedule,
    onError: (error) => deps.log.error({ err: error }, "card auto-confirm failed"),
  });
}
