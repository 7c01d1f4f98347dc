import { randomUUID } from "node:crypto";

import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import type Stripe from "stripe";

import { Order } from "../entities/Order.js";
import { COUNTED_REFUND_STATUSES } from "../order-vocabulary.js";
import type { CardRefunds } from "./card-refunds.js";
import { refundStatusOf } from "./card-refunds.js";
import type { CardTerms } from "./read-card-terms.js";
import type { FarmPayouts } from "./farm-payouts.js";
import type { Notify } from "../notifications/notification-service.js";
import { lockRefundable, recordCardRefund } from "./record-card-refund.js";
import { recordOrderEvent, recordOrderFlag } from "../orders/record-order-event.js";
import { releaseOrderStock } from "../orders/release-order-stock.js";

/** What applying an event needs besides its transaction. */
export interface StripeEventContext {
  stripe: Stripe;
  payouts: FarmPayouts;
  refunds: Pick<CardRefunds, "request">;
  notify: Notify;
  now: () => Date;
  /** The DAO's windows in force, read through the event's transaction: an order paid now must ship in its window. */
  terms: (tx: EntityManager) => Promise<CardTerms>;
}

/** Work to do once the event's transaction committed (stock caches, payouts to a newly ready account, refunds). */
export interface AppliedStripeEvent {
  stockChanged: boolean;
  /** Farms whose connected account may have become ready: their accrued payables are paid after the commit. */
  farmsToPay: string[];
  /** Refunds this event decided (a late payment's), recorded with it: Stripe is asked for them after the commit. */
  refundsToIssue: string[];
}

/**
 * Applies one Stripe event in the caller's transaction. The event only says what to look at: the state is re-read from
 * Stripe (the session, payment intent, refund, dispute or account), so events applied in any order, twice, or late
 * leave the same result. Every change is guarded by the orders' current state under their row locks, and every
 * timeline entry and flag has a source key naming the fact it records, so a fact reached through two events
 * (`checkout.session.completed` and `payment_intent.succeeded`) is recorded once.
 */
export async function applyStripeEvent(
  tx: EntityManager,
  event: Stripe.Event,
  context: StripeEventContext,
): Promise<AppliedStripeEvent> {
  const applied: AppliedStripeEvent = { stockChanged: false, farmsToPay: [], refundsToIssue: [] };
  const object = event.data.object as { id: string; object: string };
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.expired":
    case "checkout.session.async_payment_succeeded":
    case "checkout.session.async_payment_failed":
      await syncSession(tx, context, event, object.id, applied);
      break;
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed": {
      const paymentIntent = await context.stripe.paymentIntents.retrieve(object.id);
      const checkoutId = paymentIntent.metadata.checkoutId;
      if (checkoutId === undefined) break;
      const [checkout] = await tx.execute<{ stripe_session_id: string | null }[]>(
        "SELECT stripe_session_id FROM checkouts WHERE id = ?",
        [checkoutId],
      );
      if (checkout?.stripe_session_id == null) break;
      if (event.type === "payment_intent.payment_failed") {
        await recordFailedAttempt(tx, event, checkoutId, paymentIntent);
      }
      await syncSession(tx, context, event, checkout.stripe_session_id, applied);
      break;
    }
    case "charge.refunded": {
      const refunds = await context.stripe.refunds.list({ charge: object.id, limit: 100 });
      for (const refund of refunds.data) await syncRefund(tx, context, refund);
      break;
    }
    case "refund.created":
    case "refund.updated":
    case "refund.failed":
      await syncRefund(tx, context, await context.stripe.refunds.retrieve(object.id));
      break;
    case "charge.dispute.created":
    case "charge.dispute.updated":
    case "charge.dispute.closed":
      await syncDispute(tx, context, await context.stripe.disputes.retrieve(object.id));
      break;
    case "account.updated": {
      const account = await context.stripe.accounts.retrieve(object.id);
      const rows = await tx.execute<{ farm_id: string }[]>(
        `UPDATE farm_stripe_accounts SET charges_enabled = ?, payouts_enabled = ?, updated_at = now()
          WHERE account_id = ? RETURNING farm_id`,
        [account.charges_enabled === true, account.payouts_enabled === true, account.id],
      );
      if (account.charges_enabled === true && account.payouts_enabled === true) {
        applied.farmsToPay.push(...rows.map((row) => row.farm_id));
      }
      break;
    }
    default:
      break;
  }
  return applied;
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : value.id;
}

/** The orders of a checkout, locked, oldest first. */
function lockOrders(tx: EntityManager, checkoutId: string): Promise<Order[]> {
  return tx.find(
    Order,
    { checkout: checkoutId },
    { populate: ["farm"], orderBy: { createdAt: "asc", id: "asc" }, lockMode: LockMode.PESSIMISTIC_WRITE },
  );
}

async function syncSession(
  tx: EntityManager,
  context: StripeEventContext,
  event: Stripe.Event,
  sessionId: string,
  applied: AppliedStripeEvent,
): Promise<void> {
  const session = await context.stripe.checkout.sessions.retrieve(sessionId);
  const checkoutId = session.client_reference_id ?? session.metadata?.checkoutId;
  if (checkoutId == null) return;
  const [checkout] = await tx.execute<{ id: string }[]>(
    "SELECT id FROM checkouts WHERE id = ? AND payment_method = 'card' FOR UPDATE",
    [checkoutId],
  );
  if (checkout === undefined) return;
  if (session.payment_status === "paid") {
    await markPaid(tx, context, event, session, applied);
  } else if (session.status === "expired") {
    const at = context.now();
    for (const order of await lockOrders(tx, checkoutId)) {
      if (order.status !== "awaiting_payment") continue;
      await releaseOrderStock(tx, order, { status: "expired", actorId: null, at });
      context.notify({ userId: order.buyer.id, kind: "order_expired", orderId: order.id, data: {} });
      applied.stockChanged = true;
    }
  } else if (event.type === "checkout.session.async_payment_failed") {
    const paymentIntentId = idOf(session.payment_intent);
    for (const order of await lockOrders(tx, checkoutId)) {
      if (order.status !== "awaiting_payment") continue;
      await recordOrderEvent(tx, {
        orderId: order.id,
        kind: "payment_failed",
        occurredAt: new Date(event.created * 1000),
        actorId: null,
        data: { stripeEventId: event.id, sessionId, paymentIntentId },
        sourceKey: `stripe:${event.id}:${order.id}`,
      });
    }
  }
}

async function recordFailedAttempt(
  tx: EntityManager,
  event: Stripe.Event,
  checkoutId: string,
  paymentIntent: Stripe.PaymentIntent,
): Promise<void> {
  const orders = await tx.execute<{ id: string }[]>(
    "SELECT id FROM orders WHERE checkout_id = ? AND status = 'awaiting_payment'",
    [checkoutId],
  );
  // The attempt that failed is the event's (a later attempt may have succeeded since).
  const failed = event.data.object as Stripe.PaymentIntent;
  for (const order of orders) {
    await recordOrderEvent(tx, {
      orderId: order.id,
      kind: "payment_failed",
      occurredAt: new Date(event.created * 1000),
      actorId: null,
      data: {
        stripeEventId: event.id,
        paymentIntentId: paymentIntent.id,
        code: failed.last_payment_error?.code ?? failed.last_payment_error?.decline_code ?? null,
      },
      sourceKey: `stripe:${event.id}:${order.id}`,
    });
  }
}

/**
 * The session is paid. When its amount and currency are the checkout's, each order awaiting payment becomes paid;
 * an order that expired or was cancelled before the money came is flagged as a late payment and its share refunded
 * at once. Any other amount or currency is flagged on every order and nothing is fulfilled.
 */
async function markPaid(
  tx: EntityManager,
  context: StripeEventContext,
  event: Stripe.Event,
  session: Stripe.Checkout.Session,
  applied: AppliedStripeEvent,
): Promise<void> {
  const checkoutId = session.client_reference_id ?? session.metadata!.checkoutId;
  const paymentIntentId = idOf(session.payment_intent);
  const paymentIntent = paymentIntentId === null ? null : await context.stripe.paymentIntents.retrieve(paymentIntentId);
  const chargeId = idOf(paymentIntent?.latest_charge);
  await tx.execute("UPDATE checkouts SET stripe_payment_intent_id = ? WHERE id = ?", [paymentIntentId, checkoutId]);
  const orders = await lockOrders(tx, checkoutId);
  const expected = orders.reduce((sum, order) => sum + order.totalMinor, 0);
  const currency = orders[0].currency.toLowerCase();
  const stripeIds = { stripeEventId: event.id, sessionId: session.id, paymentIntentId, chargeId };
  const at = new Date(event.created * 1000);

  if (session.amount_total !== expected || session.currency !== currency) {
    for (const order of orders) {
      const added = await recordOrderFlag(tx, {
        orderId: order.id,
        kind: "amount_mismatch",
        details: {
          expectedMinor: expected,
          paidMinor: session.amount_total,
          expectedCurrency: currency,
          paidCurrency: session.currency,
          ...stripeIds,
        },
        sourceKey: `stripe:amount_mismatch:${session.id}:${order.id}`,
      });
      if (!added) continue;
      await recordOrderEvent(tx, {
        orderId: order.id,
        kind: "flagged",
        occurredAt: at,
        actorId: null,
        data: { flag: "amount_mismatch", ...stripeIds },
        sourceKey: `stripe:flagged:${session.id}:${order.id}`,
      });
      context.notify({
        userId: order.buyer.id,
        kind: "payment_flagged",
        orderId: order.id,
        data: { reason: session.currency === currency ? "wrong_amount" : "wrong_currency", method: "card" },
      });
    }
    return;
  }

  const { shipWindowMs } = await context.terms(tx);
  for (const order of orders) {
    if (order.status === "awaiting_payment") {
      order.status = "paid";
      order.paidAt = at;
      order.shipBy = new Date(at.getTime() + shipWindowMs);
      await tx.flush();
      await recordOrderEvent(tx, {
        orderId: order.id,
        kind: "paid",
        occurredAt: at,
        actorId: null,
        data: { method: "card", amountMinor: order.totalMinor, ...stripeIds },
        sourceKey: `stripe:paid:${order.id}`,
      });
      const paid = { method: "card", totalMinor: order.totalMinor, currency: order.currency } as const;
      context.notify({ userId: order.buyer.id, kind: "order_paid", orderId: order.id, data: paid });
      const itemCount = await tx.execute<{ count: string }[]>(
        "SELECT count(*) AS count FROM order_items WHERE order_id = ?",
        [order.id],
      );
      context.notify({
        userId: order.farm.owner.id,
        kind: "new_order",
        orderId: order.id,
        data: {
          farmId: order.farm.id,
          totalMinor: order.totalMinor,
          currency: order.currency,
          itemCount: Number(itemCount[0].count),
        },
      });
      // A refund applied before this payment (events in another order) may already have returned everything.
      await tx.execute(
        `UPDATE orders SET status = 'refunded', updated_at = now()
          WHERE id = ? AND total_minor <= (SELECT COALESCE(sum(amount_minor), 0) FROM refunds
                                            WHERE order_id = ? AND status IN (?))`,
        [order.id, order.id, [...COUNTED_REFUND_STATUSES]],
      );
    } else if ((order.status === "expired" || order.status === "cancelled") && paymentIntentId !== null) {
      const added = await recordOrderFlag(tx, {
        orderId: order.id,
        kind: "late_payment",
        details: { status: order.status, expiresAt: order.expiresAt.toISOString(), ...stripeIds },
        sourceKey: `stripe:late_payment:${order.id}`,
      });
      if (!added) continue;
      await recordOrderEvent(tx, {
        orderId: order.id,
        kind: "flagged",
        occurredAt: at,
        actorId: null,
        data: { flag: "late_payment", ...stripeIds },
        sourceKey: `stripe:flagged:late_payment:${order.id}`,
      });
      context.notify({
        userId: order.buyer.id,
        kind: "payment_flagged",
        orderId: order.id,
        data: { reason: "late_payment", method: "card" },
      });
      // The order's stock went back on sale: its money goes back too, decided once however often the event comes.
      const { refundId } = await context.refunds.request(tx, {
        orderId: order.id,
        amountMinor: order.totalMinor,
        reason: "late_payment",
        actorId: null,
        key: `late-payment:${order.id}`,
      });
      applied.refundsToIssue.push(refundId);
    }
  }
}

/**
 * A refund Stripe reports: recorded under the API's own id when the API made it (`metadata.refundId`), else as a
 * refund made elsewhere (Stripe's dashboard), attributed by `metadata.orderId` or to the checkout's only order.
 */
async function syncRefund(tx: EntityManager, context: StripeEventContext, refund: Stripe.Refund): Promise<void> {
  let orderId = refund.metadata?.orderId;
  const paymentIntentId = idOf(refund.payment_intent);
  if (orderId === undefined && paymentIntentId !== null) {
    // The payment intent names its checkout even before the payment's own event arrived and linked them.
    const paymentIntent = await context.stripe.paymentIntents.retrieve(paymentIntentId);
    const orders = await tx.execute<{ id: string }[]>("SELECT id FROM orders WHERE checkout_id = ?", [
      paymentIntent.metadata.checkoutId ?? null,
    ]);
    if (orders.length === 1) orderId = orders[0].id;
  }
  if (orderId === undefined) return;
  if ((await lockRefundable(tx, orderId)) === undefined) return;
  await recordCardRefund(
    tx,
    { payouts: context.payouts, notify: context.notify },
    {
      id: refund.metadata?.refundId ?? randomUUID(),
      orderId,
      amountMinor: refund.amount,
      reason: refund.metadata?.reason ?? refund.reason ?? "refunded in Stripe",
      actorId: null,
      stripeRefundId: refund.id,
      status: refundStatusOf(refund),
      disputeId: refund.metadata?.disputeId ?? null,
      occurredAt: new Date(refund.created * 1000),
      failureReason: refund.failure_reason ?? null,
    },
  );
}

/**
 * A chargeback: flagged and shown on each order of the charge's checkout when opened; when closed, won is shown on
 * the timeline and lost is recorded as money returned (status `lost`, the dispute's id as its Stripe reference), the
 * farm's share reversed as for a refund.
 */
async function syncDispute(tx: EntityManager, context: StripeEventContext, dispute: Stripe.Dispute): Promise<void> {
  const paymentIntentId = idOf(dispute.payment_intent);
  if (paymentIntentId === null) return;
  const [checkout] = await tx.execute<{ id: string }[]>(
    "SELECT id FROM checkouts WHERE stripe_payment_intent_id = ? FOR UPDATE",
    [paymentIntentId],
  );
  if (checkout === undefined) return;
  const orders = await lockOrders(tx, checkout.id);
  const opened = new Date(dispute.created * 1000);
  const ids = { stripeDisputeId: dispute.id, chargeId: idOf(dispute.charge), paymentIntentId };
  let lostLeft = dispute.status === "lost" ? dispute.amount : 0;
  for (const order of orders) {
    const added = await recordOrderFlag(tx, {
      orderId: order.id,
      kind: "chargeback",
      details: { reason: dispute.reason, amountMinor: dispute.amount, ...ids },
      sourceKey: `stripe:chargeback:${dispute.id}:${order.id}`,
    });
    if (added) {
      await recordOrderEvent(tx, {
        orderId: order.id,
        kind: "chargeback_opened",
        occurredAt: opened,
        actorId: null,
        data: { reason: dispute.reason, amountMinor: dispute.amount, ...ids },
        sourceKey: `stripe:chargeback_opened:${dispute.id}:${order.id}`,
      });
      const data = { openedBy: "buyer", reason: `Chargeback from the card issuer: ${dispute.reason}` } as const;
      context.notify({ userId: order.buyer.id, kind: "dispute_opened", orderId: order.id, data });
      context.notify({ userId: order.farm.owner.id, kind: "dispute_opened", orderId: order.id, data });
    }
    if (dispute.status !== "won" && dispute.status !== "lost") continue;
    const closed = await recordOrderEvent(tx, {
      orderId: order.id,
      kind: "chargeback_closed",
      occurredAt: context.now(),
      actorId: null,
      data: { outcome: dispute.status, ...ids },
      sourceKey: `stripe:chargeback_closed:${dispute.id}:${order.id}`,
    });
    if (!closed) continue;
    await tx.execute("UPDATE order_flags SET resolved_at = now() WHERE source_key = ?", [
      `stripe:chargeback:${dispute.id}:${order.id}`,
    ]);
    let lostMinor = 0;
    if (dispute.status === "lost") {
      const refundable = await lockRefundable(tx, order.id);
      lostMinor = Math.min(lostLeft, refundable === undefined ? 0 : refundable.totalMinor - refundable.refundedMinor);
      lostLeft -= lostMinor;
      if (lostMinor > 0) {
        await recordCardRefund(
          tx,
          { payouts: context.payouts, notify: context.notify },
          {
            id: randomUUID(),
            orderId: order.id,
            amountMinor: lostMinor,
            reason: `chargeback lost: ${dispute.reason}`,
            actorId: null,
            stripeRefundId: `${dispute.id}:${order.id}`,
            status: "lost",
            disputeId: null,
            occurredAt: context.now(),
          },
        );
      }
    }
    const resolved = {
      buyerMinor: lostMinor,
      farmerMinor: order.totalMinor - lostMinor,
      currency: order.currency,
    };
    context.notify({ userId: order.buyer.id, kind: "dispute_resolved", orderId: order.id, data: resolved });
    context.notify({ userId: order.farm.owner.id, kind: "dispute_resolved", orderId: order.id, data: resolved });
  }
}
