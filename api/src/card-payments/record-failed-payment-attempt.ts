import type { EntityManager } from "@mikro-orm/postgresql";
import type Stripe from "stripe";

import { recordOrderEvent } from "../orders/record-order-event.js";

/** Shows a failed card payment attempt on the timeline of each order of the checkout still awaiting payment. */
export async function recordFailedPaymentAttempt(
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
