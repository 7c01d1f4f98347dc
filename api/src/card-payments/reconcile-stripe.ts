import type { EntityManager } from "@mikro-orm/postgresql";
import type Stripe from "stripe";

import { cardOrderMoney } from "./card-order-money.js";
import type { CardRefunds } from "./card-refunds.js";
import type { StripeWebhooks } from "./stripe-webhooks.js";

/** Card order statuses after which no more money is waiting for an outcome. */
const FINAL_STATUSES = ["delivered", "resolved", "refunded"];

/** One way the database and Stripe disagree. */
export type ReconciliationDifference =
  | { kind: "paid_not_recorded"; checkoutId: string; sessionId: string; amountMinor: number | null }
  | {
      kind: "amount_difference";
      checkoutId: string;
      sessionId: string;
      stripeMinor: number | null;
      ordersMinor: number;
    }
  | { kind: "refund_missing"; stripeRefundId: string; amountMinor: number; paymentIntentId: string | null }
  | { kind: "refund_unissued"; refundId: string; orderId: string; amountMinor: number }
  | { kind: "money_unassigned"; orderId: string; status: string; heldMinor: number; platformMinor: number }
  | { kind: "event_unprocessed"; eventId: string; type: string; error: string | null };

export interface ReconciliationResult {
  id: string;
  from: string;
  to: string;
  /** Events Stripe listed that were not stored (stored and applied now). */
  eventsMissing: number;
  /** Stored events that were not applied yet, applied now. */
  eventsApplied: number;
  /** Refunds recorded but not yet confirmed by Stripe (an answer lost, a process killed), issued now. */
  refundsIssued: number;
  differences: ReconciliationDifference[];
}

/**
 * Compares Stripe's view of a time window with the database's. First every event of the window is stored and applied
 * if it was not (missed deliveries, failures while processing): through the same path as the webhook, so it is
 * applied exactly once; and refunds recorded but never confirmed are issued (under their own key, so Stripe returns
 * the one it made if it did). Then what remains different is reported: a session paid in Stripe whose orders are
 * neither paid nor flagged, a session whose amount is not its orders' total, a Stripe refund with no row, a refund
 * still unissued, an order in a final state whose money is not all owned (held, or the platform paid out more than
 * it took), an event that still fails. The run and its report are stored (reconciliation_runs).
 */
export async function reconcileStripe(
  em: EntityManager,
  deps: {
    stripe: Stripe;
    webhooks: Pick<StripeWebhooks, "store" | "process">;
    refunds: Pick<CardRefunds, "issueOutstanding">;
    now?: () => Date;
  },
  window: { from: Date; to: Date },
): Promise<ReconciliationResult> {
  const { stripe, webhooks } = deps;
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const created = { gte: Math.floor(window.from.getTime() / 1000), lte: Math.floor(window.to.getTime() / 1000) };

  let eventsMissing = 0;
  const listed: string[] = [];
  for await (const event of stripe.events.list({ created, limit: 100 })) {
    if (await webhooks.store(event)) eventsMissing += 1;
    listed.push(event.id);
  }
  const pending = await em.fork().execute<{ id: string }[]>(
    `SELECT id FROM stripe_events WHERE processed_at IS NULL AND (created BETWEEN ? AND ? OR id IN (?))
      ORDER BY created, id`,
    [window.from, window.to, listed.length === 0 ? [""] : listed],
  );
  let eventsApplied = 0;
  const differences: ReconciliationDifference[] = [];
  for (const { id } of pending) {
    try {
      if (await webhooks.process(id)) eventsApplied += 1;
    } catch {
      // Reported below as event_unprocessed, with the error it stored.
    }
  }
  const failing = await em
    .fork()
    .execute<{ id: string; type: string; error: string | null }[]>(
      "SELECT id, type, error FROM stripe_events WHERE processed_at IS NULL AND created BETWEEN ? AND ? ORDER BY id",
      [window.from, window.to],
    );
  for (const row of failing)
    differences.push({ kind: "event_unprocessed", eventId: row.id, type: row.type, error: row.error });

  const refundsIssued = await deps.refunds.issueOutstanding(0);
  const unissued = await em
    .fork()
    .execute<{ id: string; order_id: string; amount_minor: string }[]>(
      "SELECT id, order_id, amount_minor FROM refunds WHERE status = 'requested' ORDER BY created_at",
    );
  for (const row of unissued) {
    differences.push({
      kind: "refund_unissued",
      refundId: row.id,
      orderId: row.order_id,
      amountMinor: Number(row.amount_minor),
    });
  }

  for await (const session of stripe.checkout.sessions.list({ created, limit: 100 })) {
    const checkoutId = session.client_reference_id ?? session.metadata?.checkoutId;
    if (checkoutId == null) continue;
    const orders = await em.fork().execute<{ id: string; status: string; total_minor: string; flagged: boolean }[]>(
      `SELECT o.id, o.status, o.total_minor,
                EXISTS (SELECT 1 FROM order_flags f WHERE f.order_id = o.id) AS flagged
           FROM orders o WHERE o.checkout_id = ?`,
      [checkoutId],
    );
    if (orders.length === 0) continue;
    const ordersMinor = orders.reduce((sum, order) => sum + Number(order.total_minor), 0);
    if (session.amount_total !== ordersMinor) {
      differences.push({
        kind: "amount_difference",
        checkoutId,
        sessionId: session.id,
        stripeMinor: session.amount_total,
        ordersMinor,
      });
    }
    if (session.payment_status === "paid" && orders.some((o) => o.status === "awaiting_payment" && !o.flagged)) {
      differences.push({
        kind: "paid_not_recorded",
        checkoutId,
        sessionId: session.id,
        amountMinor: session.amount_total,
      });
    }
    // Every order whose story is over must have given all its money an owner: buyer, farm or platform fee.
    const over = orders.filter((order) => FINAL_STATUSES.includes(order.status));
    const money = await cardOrderMoney(
      em.fork(),
      over.map((order) => order.id),
    );
    for (const order of over) {
      const held = money.get(order.id);
      if (held === undefined || (held.heldMinor === 0 && held.platformMinor >= 0)) continue;
      differences.push({
        kind: "money_unassigned",
        orderId: order.id,
        status: order.status,
        heldMinor: held.heldMinor,
        platformMinor: held.platformMinor,
      });
    }
  }

  for await (const refund of stripe.refunds.list({ created, limit: 100 })) {
    const [row] = await em
      .fork()
      .execute<{ id: string }[]>("SELECT id FROM refunds WHERE stripe_refund_id = ?", [refund.id]);
    if (row !== undefined) continue;
    differences.push({
      kind: "refund_missing",
      stripeRefundId: refund.id,
      amountMinor: refund.amount,
      paymentIntentId:
        typeof refund.payment_intent === "string" ? refund.payment_intent : (refund.payment_intent?.id ?? null),
    });
  }

  const report = { eventsMissing, eventsApplied, refundsIssued, differences };
  const [run] = await em.fork().execute<{ id: string }[]>(
    `INSERT INTO reconciliation_runs (window_from, window_to, started_at, finished_at, differences, result)
       VALUES (?, ?, ?, ?, ?, ?::jsonb) RETURNING id`,
    [window.from, window.to, startedAt, now(), differences.length, JSON.stringify(report)],
  );
  return { id: String(run.id), from: window.from.toISOString(), to: window.to.toISOString(), ...report };
}

/** The latest reconciliation runs, newest first, for the admin dashboard. */
export async function listReconciliationRuns(
  em: EntityManager,
  limit: number,
): Promise<
  {
    id: string;
    from: string;
    to: string;
    startedAt: string;
    finishedAt: string;
    differences: number;
    result: Record<string, unknown>;
  }[]
> {
  const rows = await em.execute<
    {
      id: string;
      window_from: Date;
      window_to: Date;
      started_at: Date;
      finished_at: Date;
      differences: number;
      result: Record<string, unknown>;
    }[]
  >("SELECT * FROM reconciliation_runs ORDER BY id DESC LIMIT ?", [limit]);
  return rows.map((row) => ({
    id: String(row.id),
    from: new Date(row.window_from).toISOString(),
    to: new Date(row.window_to).toISOString(),
    startedAt: new Date(row.started_at).toISOString(),
    finishedAt: new Date(row.finished_at).toISOString(),
    differences: row.differences,
    result: row.result,
  }));
}
