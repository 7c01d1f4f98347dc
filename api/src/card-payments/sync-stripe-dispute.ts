import { randomUUID } from "node:crypto";

import type { EntityManager } from "@mikro-orm/postgresql";
import type Stripe from "stripe";

import { recordOrderEvent } from "../orders/record-order-event.js";
import { recordOrderFlag } from "../orders/record-order-flag.js";
import type { StripeEventContext } from "./apply-stripe-event.js";
import { lockCheckoutOrders } from "./lock-checkout-orders.js";
import { lockRefundable, recordCardRefund } from "./record-card-refund.js";
import { stripeIdOf } from "./stripe-id-of.js";

/**
 * A chargeback: flagged and shown on each order of the charge's checkout when opened; when closed, won is shown on
 * the timeline and lost is recorded as money returned (status `lost`, the dispute's id as its Stripe reference), the
 * farm's share reversed as for a refund.
 */
export async function syncStripeDispute(
  tx: EntityManager,
  context: StripeEventContext,
  dispute: Stripe.Dispute,
): Promise<void> {
  const paymentIntentId = stripeIdOf(dispute.payment_intent);
  if (paymentIntentId === null) return;
  const [checkout] = await tx.execute<{ id: string }[]>(
    "SELECT id FROM checkouts WHERE stripe_payment_intent_id = ? FOR UPDATE",
    [paymentIntentId],
  );
  if (checkout === undefined) return;
  const orders = await lockCheckoutOrders(tx, checkout.id);
  const opened = new Date(dispute.created * 1000);
  const ids = { stripeDisputeId: dispute.id, chargeId: stripeIdOf(dispute.charge), paymentIntentId };
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
