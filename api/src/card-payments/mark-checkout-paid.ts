import type { EntityManager } from "@mikro-orm/postgresql";
import type Stripe from "stripe";

import { COUNTED_REFUND_STATUSES } from "../../../protocol/vocabulary/order-vocabulary.js";
import { recordOrderEvent } from "../orders/record-order-event.js";
import { recordOrderFlag } from "../orders/record-order-flag.js";
import type { AppliedStripeEvent, StripeEventContext } from "./apply-stripe-event.js";
import { lockCheckoutOrders } from "./lock-checkout-orders.js";
import { stripeIdOf } from "./stripe-id-of.js";

/**
 * The session is paid. When its amount and currency are the checkout's, each order awaiting payment becomes paid;
 * an order that expired or was cancelled before the money came is flagged as a late payment and its share refunded
 * at once. Any other amount or currency is flagged on every order and nothing is fulfilled.
 */
export async function markCheckoutPaid(
  tx: EntityManager,
  context: StripeEventContext,
  event: Stripe.Event,
  session: Stripe.Checkout.Session,
  applied: AppliedStripeEvent,
): Promise<void> {
  const checkoutId = session.client_reference_id ?? session.metadata!.checkoutId;
  const paymentIntentId = stripeIdOf(session.payment_intent);
  const paymentIntent = paymentIntentId === null ? null : await context.stripe.paymentIntents.retrieve(paymentIntentId);
  const chargeId = stripeIdOf(paymentIntent?.latest_charge);
  await tx.execute("UPDATE checkouts SET stripe_payment_intent_id = ? WHERE id = ?", [paymentIntentId, checkoutId]);
  const orders = await lockCheckoutOrders(tx, checkoutId);
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
