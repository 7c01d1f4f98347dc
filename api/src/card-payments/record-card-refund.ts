import type { EntityManager } from "@mikro-orm/postgresql";

import type { Notify } from "../notifications/notification-service.js";
import { COUNTED_REFUND_STATUSES } from "../../../protocol/vocabulary/order-vocabulary.js";
import type { OrderStatus, RefundStatus } from "../../../protocol/vocabulary/order-vocabulary.js";
import { recordOrderEvent } from "../orders/record-order-event.js";
import { recordOrderFlag } from "../orders/record-order-flag.js";
import type { FarmPayouts } from "./farm-payouts.js";

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
      status: OrderStatus;
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
      status: OrderStatus;
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

/** A refund as Stripe reports it (or as the API's own call returned it), to record against an order. */
export interface CardRefundReport {
  /** The API's id for it (`metadata.refundId`): the requested refund's row, when the API asked for it. */
  id: string;
  orderId: string;
  amountMinor: number;
  reason: string;
  actorId: string | null;
  stripeRefundId: string;
  status: RefundStatus;
  disputeId: string | null;
  occurredAt: Date;
  failureReason?: string | null;
}

interface KnownRefund {
  id: string;
  status: RefundStatus;
  stripe_refund_id: string | null;
  farm_share_reversed_minor: string;
  farm_share_accounted: boolean;
  order_status_before: OrderStatus | null;
  actor_id: string | null;
}

/**
 * Records money returned on a card order, once: the refund row (keyed by its id and its Stripe id), then, the first
 * time Stripe confirms it (a new refund, or a requested one Stripe accepted), the farm's share taken off its payable
 * or transfer, the timeline entry, the buyer's notification, and the order `refunded` once nothing is left. A refund
 * seen again (the webhook after the API's own call, a redelivery) only updates its status; one that failed after
 * being counted gives back what recording it took. The caller holds the order's row lock (lockRefundable). True when
 * the refund was newly confirmed.
 */
export async function recordCardRefund(
  tx: EntityManager,
  deps: { payouts: FarmPayouts; notify: Notify },
  refund: CardRefundReport,
): Promise<boolean> {
  const known = await findRefund(tx, refund);
  if (known === undefined) {
    const inserted = await tx.execute<{ id: string }[]>(
      `INSERT INTO refunds (id, order_id, amount_minor, reason, actor_id, method, stripe_refund_id, status, dispute_id,
                            failure_reason)
       VALUES (?, ?, ?, ?, ?, 'card', ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
      [
        refund.id,
        refund.orderId,
        refund.amountMinor,
        refund.reason,
        refund.actorId,
        refund.stripeRefundId,
        refund.status,
        refund.disputeId,
        refund.failureReason ?? null,
      ],
    );
    // Inserted meanwhile by another transaction of the same refund: it is known now.
    if (inserted.length === 0) return recordCardRefund(tx, deps, refund);
    if (!isCounted(refund.status)) return false;
    await applyRefund(tx, deps, { ...refund, farmShareAccounted: false });
    return true;
  }
  if (known.status === refund.status && known.stripe_refund_id === refund.stripeRefundId) return false;
  await tx.execute("UPDATE refunds SET status = ?, stripe_refund_id = ?, failure_reason = ? WHERE id = ?", [
    refund.status,
    refund.stripeRefundId,
    refund.failureReason ?? null,
    known.id,
  ]);
  const recorded = { ...refund, id: known.id, actorId: known.actor_id };
  if (known.status === "requested") {
    if (isCounted(refund.status)) {
      await applyRefund(tx, deps, { ...recorded, farmShareAccounted: known.farm_share_accounted });
      return true;
    }
    await undoFailedRefund(tx, deps, recorded, known, true);
    return false;
  }
  if (isCounted(known.status) && !isCounted(refund.status)) await undoFailedRefund(tx, deps, recorded, known, true);
  return false;
}

/**
 * Stripe refused a requested refund: no money moved. It is recorded as `rejected`, and what counting it took is given
 * back; with `tell`, the order is flagged for staff and the buyer told, as for a refund that failed at the bank. The
 * caller holds the order's row lock.
 */
export async function rejectRequestedRefund(
  tx: EntityManager,
  deps: { payouts: FarmPayouts; notify: Notify },
  refundId: string,
  reason: string,
  tell: boolean,
): Promise<void> {
  const [known] = await tx.execute<(KnownRefund & { order_id: string; amount_minor: string; reason: string })[]>(
    `SELECT id, order_id, amount_minor, reason, status, stripe_refund_id, farm_share_reversed_minor,
            farm_share_accounted, order_status_before, actor_id
       FROM refunds WHERE id = ? FOR UPDATE`,
    [refundId],
  );
  if (known?.status !== "requested") return;
  await tx.execute("UPDATE refunds SET status = 'rejected', failure_reason = ? WHERE id = ?", [reason, refundId]);
  await undoFailedRefund(
    tx,
    deps,
    {
      id: refundId,
      orderId: known.order_id,
      amountMinor: Number(known.amount_minor),
      reason: known.reason,
      actorId: known.actor_id,
      stripeRefundId: null,
      status: "rejected",
      disputeId: null,
      occurredAt: new Date(),
      failureReason: reason,
    },
    known,
    tell,
  );
}

async function findRefund(tx: EntityManager, refund: CardRefundReport): Promise<KnownRefund | undefined> {
  const [known] = await tx.execute<KnownRefund[]>(
    `SELECT id, status, stripe_refund_id, farm_share_reversed_minor, farm_share_accounted, order_status_before,
            actor_id
       FROM refunds WHERE id = ? OR stripe_refund_id = ? FOR UPDATE`,
    [refund.id, refund.stripeRefundId],
  );
  return known;
}

/**
 * What a confirmed refund does: the farm's share comes off its payable (unless the payable's accrual took it already),
 * the order becomes `refunded` once nothing is left, the timeline and the buyer are told.
 */
async function applyRefund(
  tx: EntityManager,
  deps: { payouts: FarmPayouts; notify: Notify },
  refund: CardRefundReport & { farmShareAccounted: boolean },
): Promise<void> {
  const [order] = await tx.execute<{ total_minor: string; currency: string; buyer_id: string; refunded: string }[]>(
    `SELECT o.total_minor, o.currency, o.buyer_id,
            (SELECT COALESCE(sum(r.amount_minor), 0) FROM refunds r WHERE r.order_id = o.id AND r.status IN (?))
              AS refunded
       FROM orders o WHERE o.id = ?`,
    [[...COUNTED_REFUND_STATUSES], refund.orderId],
  );
  const full = Number(order.refunded) >= Number(order.total_minor);
  if (!refund.farmShareAccounted) {
    const share = await deps.payouts.reverseShare(tx, {
      orderId: refund.orderId,
      refundId: refund.id,
      refundMinor: refund.amountMinor,
    });
    if (share !== undefined) {
      await tx.execute("UPDATE refunds SET farm_share_reversed_minor = ?, farm_share_accounted = true WHERE id = ?", [
        share,
        refund.id,
      ]);
    }
  }
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
  if (replaced !== undefined) {
    await tx.execute("UPDATE refunds SET order_status_before = ? WHERE id = ?", [replaced.status, refund.id]);
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
}

/**
 * A refund that was counted as money returned (or requested) failed at the bank, or Stripe refused or cancelled it:
 * the buyer never got it. What counting it took is given back (the farm's share, the order's status if it had made the
 * order `refunded`), so the money can be refunded again; with `tell`, the order is flagged for staff, and its
 * timeline and buyer are told.
 */
async function undoFailedRefund(
  tx: EntityManager,
  deps: { payouts: FarmPayouts; notify: Notify },
  refund: Omit<CardRefundReport, "stripeRefundId"> & { stripeRefundId: string | null },
  known: KnownRefund,
  tell: boolean,
): Promise<void> {
  if (known.farm_share_accounted) {
    await deps.payouts.restoreShare(tx, {
      orderId: refund.orderId,
      refundId: refund.id,
      shareMinor: Number(known.farm_share_reversed_minor),
    });
  }
  await tx.execute("UPDATE refunds SET farm_share_reversed_minor = 0 WHERE id = ?", [refund.id]);
  if (known.order_status_before !== null) {
    await tx.execute("UPDATE orders SET status = ?, updated_at = now() WHERE id = ? AND status = 'refunded'", [
      known.order_status_before,
      refund.orderId,
    ]);
  }
  if (!tell) return;
  const details = {
    refundId: refund.id,
    stripeRefundId: refund.stripeRefundId,
    amountMinor: refund.amountMinor,
    status: refund.status,
    ...(refund.failureReason == null ? {} : { reason: refund.failureReason }),
  };
  await recordOrderFlag(tx, {
    orderId: refund.orderId,
    kind: "refund_failed",
    details,
    sourceKey: `api:refund-failed:${refund.id}`,
  });
  await recordOrderEvent(tx, {
    orderId: refund.orderId,
    kind: "refund_failed",
    occurredAt: new Date(),
    actorId: null,
    data: details,
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
