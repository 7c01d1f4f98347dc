import type { EntityManager } from "@mikro-orm/postgresql";

import type { RefundStatus } from "../entities/Refund.js";
import type { OrderStatus } from "../order-vocabulary.js";
import type { FarmPayouts } from "./farm-payouts.js";
import type { Notify } from "./notification-service.js";
import { recordOrderEvent, recordOrderFlag } from "./record-order-event.js";

/** Money that counts as returned to the buyer: refunds not failed or cancelled, and chargebacks lost. */
export const COUNTED_REFUND_STATUSES = ["pending", "succeeded", "lost"] as const;

const isCounted = (status: RefundStatus) => (COUNTED_REFUND_STATUSES as readonly string[]).includes(status);

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
    const [known] = await tx.execute<
      { id: string; status: RefundStatus; farm_share_reversed_minor: string; order_status_before: OrderStatus | null }[]
    >(
      `SELECT id, status, farm_share_reversed_minor, order_status_before FROM refunds
        WHERE id = ? OR stripe_refund_id = ? FOR UPDATE`,
      [refund.id, refund.stripeRefundId],
    );
    if (known === undefined || known.status === refund.status) return false;
    await tx.execute("UPDATE refunds SET status = ?, stripe_refund_id = ? WHERE id = ?", [
      refund.status,
      refund.stripeRefundId,
      known.id,
    ]);
    if (isCounted(known.status) && !isCounted(refund.status)) {
      await undoFailedRefund(tx, deps, { ...refund, id: known.id }, known);
    }
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
  const share = await deps.payouts.reverseShare(tx, {
    orderId: refund.orderId,
    refundId: refund.id,
    refundMinor: refund.amountMinor,
  });
  // The status it replaces is kept with the refund, to be put back if the refund fails at the bank.
  const [replaced] = full
    ? await tx.execute<{ status: OrderStatus }[]>(
        `UPDATE orders o SET status = 'refunded', updated_at = now()
           FROM (SELECT id, status FROM orders WHERE id = ?) before
          WHERE o.id = before.id AND o.status IN ('paid', 'shipped', 'delivered', 'disputed', 'resolved')
          RETURNING before.status`,
        [refund.orderId],
      )
    : [];
  await tx.execute("UPDATE refunds SET farm_share_reversed_minor = ?, order_status_before = ? WHERE id = ?", [
    share,
    replaced?.status ?? null,
    refund.id,
  ]);
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

/**
 * A refund recorded as money returned failed (or was cancelled) at the bank: the buyer never got it. What recording
 * it did is given back (the farm's share, the order's status if it had made the order `refunded`), so the money can
 * be refunded again; the order is flagged for staff, and its timeline and buyer are told.
 */
async function undoFailedRefund(
  tx: EntityManager,
  deps: { payouts: FarmPayouts; notify: Notify },
  refund: { id: string; orderId: string; amountMinor: number; stripeRefundId: string; status: RefundStatus },
  known: { farm_share_reversed_minor: string; order_status_before: OrderStatus | null },
): Promise<void> {
  await deps.payouts.restoreShare(tx, {
    orderId: refund.orderId,
    refundId: refund.id,
    shareMinor: Number(known.farm_share_reversed_minor),
  });
  await tx.execute("UPDATE refunds SET farm_share_reversed_minor = 0 WHERE id = ?", [refund.id]);
  if (known.order_status_before !== null) {
    await tx.execute("UPDATE orders SET status = ?, updated_at = now() WHERE id = ? AND status = 'refunded'", [
      known.order_status_before,
      refund.orderId,
    ]);
  }
  const details = { refundId: refund.id, stripeRefundId: refund.stripeRefundId, amountMinor: refund.amountMinor };
  await recordOrderFlag(tx, {
    orderId: refund.orderId,
    kind: "refund_failed",
    details: { ...details, status: refund.status },
    sourceKey: `api:refund-failed:${refund.id}`,
  });
  await recordOrderEvent(tx, {
    orderId: refund.orderId,
    kind: "refund_failed",
    occurredAt: new Date(),
    actorId: null,
    data: { ...details, status: refund.status },
    sourceKey: `api:refund-failed:${refund.id}`,
  });
  const [order] = await tx.execute<{ buyer_id: string; currency: string }[]>(
    "SELECT buyer_id, currency FROM orders WHERE id = ?",
    [refund.orderId],
  );
  deps.notify({
    userId: order.buyer_id,
    kind: "refund_failed",
    orderId: refund.orderId,
    data: { amountMinor: refund.amountMinor, currency: order.currency },
  });
}
