import type { EntityManager } from "@mikro-orm/postgresql";
import type Stripe from "stripe";

import { recordOrderEvent } from "./record-order-event.js";

/**
 * What the platform owes farms for delivered card orders, and paying it through Stripe Connect (separate charges and
 * transfers). Every Stripe call carries an idempotency key derived from the order or the refund, and runs inside the
 * caller's transaction while it holds the payable's row lock: a transaction that rolls back and is retried gets the
 * same transfer or reversal from Stripe instead of a second one.
 */
export interface FarmPayouts {
  /** Records the farm's share of a delivered card order (total − fee, less what was refunded already). */
  accrue(tx: EntityManager, orderId: string): Promise<void>;
  /**
   * Transfers an accrued payable to the farm's connected account when the account is ready; true when it did. A farm
   * without a ready account keeps the payable accrued, to be paid by `payFarm` once `account.updated` says so.
   */
  payOrder(tx: EntityManager, orderId: string): Promise<boolean>;
  /** Pays every accrued payable of the farm (its account just became ready); how many were transferred. */
  payFarm(em: EntityManager, farmId: string): Promise<number>;
  /**
   * Takes the farm's proportional share of a refund off its payable: off the balance when still accrued, or as a
   * reversal of the transfer once paid. Nothing when the order was never delivered (no payable yet).
   */
  reverseShare(tx: EntityManager, input: { orderId: string; refundId: string; refundMinor: number }): Promise<number>;
  /**
   * Gives back a share `reverseShare` took for a refund that then failed: onto the balance when still accrued, or as
   * a new transfer of that share once paid (a reversal cannot be undone).
   */
  restoreShare(tx: EntityManager, input: { orderId: string; refundId: string; shareMinor: number }): Promise<void>;
}

/** The farm's share of `amount` of an order: proportional to what the farm gets of the total, rounded down. */
function shareOf(amountMinor: number, order: { total_minor: string; fee_minor: string }): number {
  const total = BigInt(order.total_minor);
  return Number((BigInt(amountMinor) * (total - BigInt(order.fee_minor))) / total);
}

export function createFarmPayouts(deps: { stripe: Stripe; now?: () => Date }): FarmPayouts {
  const { stripe } = deps;
  const now = deps.now ?? (() => new Date());

  async function payOrder(tx: EntityManager, orderId: string): Promise<boolean> {
    const [row] = await tx.execute<
      {
        amount_minor: string;
        reversed_minor: string;
        currency: string;
        account_id: string | null;
        ready: boolean | null;
        checkout_id: string;
        payment_intent_id: string | null;
      }[]
    >(
      `SELECT p.amount_minor, p.reversed_minor, p.currency, a.account_id,
              (a.charges_enabled AND a.payouts_enabled) AS ready, o.checkout_id,
              c.stripe_payment_intent_id AS payment_intent_id
         FROM farm_payables p
         JOIN orders o ON o.id = p.order_id
         JOIN checkouts c ON c.id = o.checkout_id
         LEFT JOIN farm_stripe_accounts a ON a.farm_id = p.farm_id
        WHERE p.order_id = ? AND p.status = 'accrued'
        FOR UPDATE OF p`,
      [orderId],
    );
    if (row === undefined || row.account_id === null || row.ready !== true || row.payment_intent_id === null) {
      return false;
    }
    const net = Number(row.amount_minor) - Number(row.reversed_minor);
    if (net <= 0) {
      await tx.execute("UPDATE farm_payables SET status = 'reversed', updated_at = now() WHERE order_id = ?", [
        orderId,
      ]);
      return false;
    }
    const paymentIntent = await stripe.paymentIntents.retrieve(row.payment_intent_id);
    const charge = paymentIntent.latest_charge;
    const transfer = await stripe.transfers.create(
      {
        amount: net,
        currency: row.currency.toLowerCase(),
        destination: row.account_id,
        ...(charge === null ? {} : { source_transaction: typeof charge === "string" ? charge : charge.id }),
        transfer_group: row.checkout_id,
        metadata: { orderId },
      },
      { idempotencyKey: `payable:${orderId}` },
    );
    await tx.execute(
      `UPDATE farm_payables SET status = 'transferred', stripe_transfer_id = ?, updated_at = now()
        WHERE order_id = ?`,
      [transfer.id, orderId],
    );
    await recordOrderEvent(tx, {
      orderId,
      kind: "transferred",
      occurredAt: now(),
      actorId: null,
      data: { stripeTransferId: transfer.id, amountMinor: net, accountId: row.account_id },
      sourceKey: `api:payable:${orderId}:transferred`,
    });
    return true;
  }

  return {
    async accrue(tx, orderId) {
      const [order] = await tx.execute<
        { farm_id: string; total_minor: string; fee_minor: string; currency: string; refunded: string }[]
      >(
        `SELECT o.farm_id, o.total_minor, o.fee_minor, o.currency,
                COALESCE((SELECT sum(r.amount_minor) FROM refunds r
                           WHERE r.order_id = o.id AND r.status IN ('pending', 'succeeded', 'lost')), 0) AS refunded
           FROM orders o WHERE o.id = ?`,
        [orderId],
      );
      const share = shareOf(Number(order.total_minor), order);
      const reversed = Math.min(share, shareOf(Number(order.refunded), order));
      await tx.execute(
        `INSERT INTO farm_payables (id, order_id, farm_id, amount_minor, reversed_minor, currency, status)
         VALUES (gen_random_uuid(), ?, ?, ?, ?, ?, 'accrued') ON CONFLICT (order_id) DO NOTHING`,
        [orderId, order.farm_id, share, reversed, order.currency],
      );
    },

    payOrder,

    async payFarm(em, farmId) {
      const rows = await em.execute<{ order_id: string }[]>(
        "SELECT order_id FROM farm_payables WHERE farm_id = ? AND status = 'accrued' ORDER BY created_at",
        [farmId],
      );
      let paid = 0;
      for (const { order_id } of rows) {
        if (await em.fork().transactional((tx) => payOrder(tx, order_id))) paid += 1;
      }
      return paid;
    },

    async reverseShare(tx, { orderId, refundId, refundMinor }) {
      const [row] = await tx.execute<
        {
          amount_minor: string;
          reversed_minor: string;
          status: string;
          stripe_transfer_id: string | null;
          total_minor: string;
          fee_minor: string;
        }[]
      >(
        `SELECT p.amount_minor, p.reversed_minor, p.status, p.stripe_transfer_id, o.total_minor, o.fee_minor
           FROM farm_payables p JOIN orders o ON o.id = p.order_id
          WHERE p.order_id = ? FOR UPDATE OF p`,
        [orderId],
      );
      if (row === undefined) return 0;
      const left = Number(row.amount_minor) - Number(row.reversed_minor);
      const share = Math.min(left, shareOf(refundMinor, row));
      if (share <= 0) return 0;
      if (row.status === "transferred" && row.stripe_transfer_id !== null) {
        await stripe.transfers.createReversal(
          row.stripe_transfer_id,
          { amount: share, metadata: { orderId, refundId } },
          { idempotencyKey: `reversal:${refundId}` },
        );
      }
      await tx.execute(
        `UPDATE farm_payables SET reversed_minor = reversed_minor + ?,
                status = CASE WHEN reversed_minor + ? >= amount_minor THEN 'reversed' ELSE status END,
                updated_at = now()
          WHERE order_id = ?`,
        [share, share, orderId],
      );
      return share;
    },

    async restoreShare(tx, { orderId, refundId, shareMinor }) {
      if (shareMinor <= 0) return;
      const [row] = await tx.execute<
        {
          stripe_transfer_id: string | null;
          currency: string;
          account_id: string | null;
          checkout_id: string;
        }[]
      >(
        `SELECT p.stripe_transfer_id, p.currency, a.account_id, o.checkout_id
           FROM farm_payables p JOIN orders o ON o.id = p.order_id
           LEFT JOIN farm_stripe_accounts a ON a.farm_id = p.farm_id
          WHERE p.order_id = ? FOR UPDATE OF p`,
        [orderId],
      );
      if (row === undefined) return;
      if (row.stripe_transfer_id !== null && row.account_id !== null) {
        await stripe.transfers.create(
          {
            amount: shareMinor,
            currency: row.currency.toLowerCase(),
            destination: row.account_id,
            transfer_group: row.checkout_id,
            metadata: { orderId, restoresRefundId: refundId },
          },
          { idempotencyKey: `restore:${refundId}` },
        );
      }
      await tx.execute(
        `UPDATE farm_payables SET reversed_minor = reversed_minor - ?,
                status = CASE WHEN status = 'reversed'
                              THEN (CASE WHEN stripe_transfer_id IS NULL THEN 'accrued' ELSE 'transferred' END)
                              ELSE status END,
                updated_at = now()
          WHERE order_id = ?`,
        [shareMinor, orderId],
      );
      // Back on the balance of a farm whose account is ready: it is owed now, as on delivery.
      if (row.stripe_transfer_id === null) await payOrder(tx, orderId);
    },
  };
}
