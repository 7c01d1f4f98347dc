import type { EntityManager } from "@mikro-orm/postgresql";

import type { RefundStatus } from "../entities/Refund.js";
import type { FarmPayouts } from "./farm-payouts.js";
import type { Notify } from "./notification-service.js";
import { recordOrderEvent } from "./record-order-event.js";

/** Money that counts as returned to the buyer: refunds not failed or cancelled, and chargebacks lost. */
export const COUNTED_REFUND_STATUSES = ["pending", "succeeded", "lost"] as const;

/** What of the order's total is still refundable, with the order's row locked for the caller's transaction. */
export async function lockRefundable(
  tx: EntityManager,
  orderId: string,
): Promise<
  | {
      totalMinor: number;
      refundedMinor: number;
      currency: string;
      status: string;
      paymentMethod: string;
      buyerId: string;
      farmOwnerId: string;
      paymentIntentId: string | null;
    }
  | undefined
> {
  const [row] = await tx.execute<
    {
      total_minor: string;
      currency: string;
      status: string;
      payment_method: string;
      buyer_id: string;
      owner_id: string;
      payment_intent_id: string | null;
    }[]
  >(
    `SELECT o.total_minor, o.currency, o.status, o.payment_method, o.buyer_id, f.owner_id,
            c.stripe_payment_intent_id AS payment_intent_id
       FROM orders o JOIN farms f ON f.id = o.farm_id JOIN checkouts c ON c.id = o.checkout_id
      WHERE o.id = ? AND o.deleted_at IS NULL FOR UPDATE OF o`,
    [orderId],
  );
  if (row === undefined) return undefined;
  const [{ refunded }] = await tx.execute<{ refunded: string }[]>(
    "SELECT COALESCE(sum(amount_minor), 0) AS refunded FROM refunds WHERE order_id = ? AND status IN (?)",
    [orderId, [...COUNTED_REFUND_STATUSES]],
  );
  return {
    totalMinor: Number(row.total_minor),
    refundedMinor: Number(refunded),
    currency: row.currency,
    status: row.status,
    paymentMethod: row.payment_method,
    buyerId: row.buyer_id,
    farmOwnerId: row.owner_id,
    paymentIntentId: row.payment_intent_id,
  };
}

/**
 * Records money returned on a card order, once: the refund row (keyed by its id and its Stripe id), the farm's share
 * taken off its payable or transfer, the timeline entry, the buyer's notification, and the order `refunded` once
 * nothing is left. A refund seen again (the webhook after the API's own call, a redelivery) only updates its status.
 * The caller holds the order's row lock (lockRefundable). True when the refund was new.
 */
export async function recordCardRefund(
  tx: EntityManager,
  deps: { payouts: FarmPayouts; notify: Notify },
  refund: {
    id: string;
    orderId: string;
    amountMinor: number;
    reason: string;
    actorId: string | null;
    stripeRefundId: string;
    status: RefundStatus;
    disputeId: string | null;
    occurredAt: Date;
  },
): Promise<boolean> {
  const inserted = await tx.execute<{ id: string }[]>(
    `INSERT INTO refunds (id, order_id, amount_minor, reason, actor_id, method, stripe_refund_id, status, dispute_id)
     VALUES (?, ?, ?, ?, ?, 'card', ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
    [
      refund.id,
      refund.orderId,
      refund.amountMinor,
      refund.reason,
      refund.actorId,
      refund.stripeRefundId,
      refund.status,
      refund.disputeId,
    ],
  );
  if (inserted.length === 0) {
    await tx.execute(
      "UPDATE refunds SET status = ?, stripe_refund_id = ? WHERE (id = ? OR stripe_refund_id = ?) AND status <> ?",
      [refund.status, refund.stripeRefundId, refund.id, refund.stripeRefundId, refund.status],
    );
    return false;
  }
  const [order] = await tx.execute<{ total_minor: string; currency: string; buyer_id: string; refunded: string }[]>(
    `SELECT o.total_minor, o.currency, o.buyer_id,
            (SELECT COALESCE(sum(r.amount_minor), 0) FROM refunds r WHERE r.order_id = o.id AND r.status IN (?))
              AS refunded
       FROM orders o WHERE o.id = ?`,
    [[...COUNTED_REFUND_STATUSES], refund.orderId],
  );
  const full = Number(order.refunded) >= Number(order.total_minor);
  await deps.payouts.reverseShare(tx, {
    orderId: refund.orderId,
    refundId: refund.id,
    refundMinor: refund.amountMinor,
  });
  if (full) {
    await tx.execute(
      `UPDATE orders SET status = 'refunded', updated_at = now()
        WHERE id = ? AND status IN ('paid', 'shipped', 'delivered', 'disputed', 'resolved')`,
      [refund.orderId],
    );
  }
  await recordOrderEvent(tx, {
    orderId: refund.orderId,
    kind: "refunded",
    occurredAt: refund.occurredAt,
    actorId: refund.actorId,
    data: {
      refundId: refund.id,
      stripeRefundId: refund.stripeRefundId,
      amountMinor: refund.amountMinor,
      reason: refund.reason,
      full,
      ...(refund.disputeId === null ? {} : { disputeId: refund.disputeId }),
    },
    sourceKey: `api:refund:${refund.id}`,
  });
  deps.notify({
    userId: order.buyer_id,
    kind: "refund",
    orderId: refund.orderId,
    data: { amountMinor: refund.amountMinor, currency: order.currency, full, method: "card" },
  });
  return true;
}
