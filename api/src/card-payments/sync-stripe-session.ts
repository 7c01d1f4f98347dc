import type { EntityManager } from "@mikro-orm/postgresql";
import type Stripe from "stripe";

import { recordOrderEvent } from "../orders/record-order-event.js";
import { releaseOrderStock } from "../orders/release-order-stock.js";
import type { AppliedStripeEvent, StripeEventContext } from "./apply-stripe-event.js";
import { lockCheckoutOrders } from "./lock-checkout-orders.js";
import { markCheckoutPaid } from "./mark-checkout-paid.js";
import { stripeIdOf } from "./stripe-id-of.js";

/**
 * Brings a card checkout in line with its Stripe Checkout Session, re-read from Stripe: paid, expired (its orders'
 * stock released), or an asynchronous payment failed (shown on the orders' timelines).
 */
export async function syncStripeSession(
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
    await markCheckoutPaid(tx, context, event, session, applied);
  } else if (session.status === "expired") {
    const at = context.now();
    for (const order of await lockCheckoutOrders(tx, checkoutId)) {
      if (order.status !== "awaiting_payment") continue;
      await releaseOrderStock(tx, order, { status: "expired", actorId: null, at });
      context.notify({ userId: order.buyer.id, kind: "order_expired", orderId: order.id, data: {} });
      applied.stockChanged = true;
    }
  } else if (event.type === "checkout.session.async_payment_failed") {
    const paymentIntentId = stripeIdOf(session.payment_intent);
    for (const order of await lockCheckoutOrders(tx, checkoutId)) {
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
