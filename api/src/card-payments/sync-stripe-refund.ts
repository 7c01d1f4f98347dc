import { randomUUID } from "node:crypto";

import type { EntityManager } from "@mikro-orm/postgresql";
import type Stripe from "stripe";

import type { StripeEventContext } from "./apply-stripe-event.js";
import { refundStatusOf } from "./card-refunds.js";
import { lockRefundable, recordCardRefund } from "./record-card-refund.js";
import { stripeIdOf } from "./stripe-id-of.js";

/**
 * A refund Stripe reports: recorded under the API's own id when the API made it (`metadata.refundId`), else as a
 * refund made elsewhere (Stripe's dashboard), attributed by `metadata.orderId` or to the checkout's only order.
 */
export async function syncStripeRefund(
  tx: EntityManager,
  context: StripeEventContext,
  refund: Stripe.Refund,
): Promise<void> {
  let orderId = refund.metadata?.orderId;
  const paymentIntentId = stripeIdOf(refund.payment_intent);
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
