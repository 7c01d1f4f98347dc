import type { EntityManager } from "@mikro-orm/postgresql";
import type Stripe from "stripe";

import { COUNTED_REFUND_STATUSES } from "../../../protocol/vocabulary/order-vocabulary.js";
import { recordOrderEvent } from "../orders/record-order-event.js";
import { confirmFarmDebtReversals } from "./confirm-farm-debt-reversals.js";
import { isStripeRefusal } from "./is-stripe-refusal.js";
import { netFarmDebts } from "./net-farm-debts.js";
import { recordFarmDebt } from "./record-farm-debt.js";
import { stripeFailureOf } from "./stripe-failure-of.js";

/**
 * What the platform owes farms for card orders (delivered, or ruled on before delivery), and paying it through Stripe
 * Connect (separate charges and transfers). Every Stripe call carries an idempotency key derived from the order or the
 * refund, and runs inside the caller's transaction while it holds the payable's row lock: a transaction that rolls back
 * and is retried gets the same transfer or reversal from Stripe instead of a second one.
 */
export interface FarmPayouts {
  /**
   * Records the farm's share of a card order (total − fee), less the share of every refund already counted against it
   * (each such refund is marked accounted, so its share is never taken twice). Nothing when one exists already.
   */
  accrue(tx: EntityManager, orderId: string): Promise<void>;
  /**
   * Pays an accrued payable when the farm's connected account is ready: first what the farm owes (netted), then the
   * rest as a transfer; true when it did. A farm without a ready account keeps the payable accrued, to be paid by
   * `payFarm` once `account.updated` says so.
   */
  payOrder(tx: EntityManager, orderId: string): Promise<boolean>;
  /** Pays every accrued payable of the farm (its account just became ready); how many were paid. */
  payFarm(em: EntityManager, farmId: string): Promise<number>;
  /**
   * Takes the farm's proportional share of a refund off its payable: off the balance when still accrued, or as a
   * reversal of the transfer once paid. A reversal Stripe refuses (the farm's balance is gone) or does not answer
   * becomes a farm debt instead; the share counts as taken either way. Undefined when the order has no payable yet
   * (its accrual takes the share); else the share taken.
   */
  reverseShare(
    tx: EntityManager,
    input: { orderId: string; refundId: string; refundMinor: number },
  ): Promise<number | undefined>;
  /**
   * Gives back a share `reverseShare` (or the accrual) took for a refund that then failed: onto the balance when still
   * accrued, or as a new transfer of what the farm actually gave back once paid (a debt not yet recovered is simply
   * cancelled).
   */
  restoreShare(tx: EntityManager, input: { orderId: string; refundId: string; shareMinor: number }): Promise<void>;
  /**
   * Asks Stripe again, under the same keys, for the reversals whose outcome was unknown: each becomes settled (it
   * went through) or owed (refused). How many were decided.
   */
  confirmReversals(fork: () => EntityManager): Promise<number>;
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
        farm_id: string;
        amount_minor: string;
        reversed_minor: string;
        currency: string;
        account_id: string | null;
        ready: boolean | null;
        checkout_id: string;
        payment_intent_id: string | null;
      }[]
    >(
      `SELECT p.farm_id, p.amount_minor, p.reversed_minor, p.currency, a.account_id,
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
    const at = now();
    const netted = await netFarmDebts(tx, {
      farmId: row.farm_id,
      currency: row.currency,
      payingOrderId: orderId,
      availableMinor: net,
      at,
    });
    if (netted === net) {
      await tx.execute(
        "UPDATE farm_payables SET status = 'netted', debt_netted_minor = ?, updated_at = now() WHERE order_id = ?",
        [netted, orderId],
      );
      return true;
    }
    const paymentIntent = await stripe.paymentIntents.retrieve(row.payment_intent_id);
    const charge = paymentIntent.latest_charge;
    const amount = net - netted;
    const transfer = await stripe.transfers.create(
      {
        amount,
        currency: row.currency.toLowerCase(),
        destination: row.account_id,
        ...(charge === null ? {} : { source_transaction: typeof charge === "string" ? charge : charge.id }),
        transfer_group: row.checkout_id,
        metadata: { orderId },
      },
      { idempotencyKey: `payable:${orderId}` },
    );
    await tx.execute(
      `UPDATE farm_payables SET status = 'transferred', stripe_transfer_id = ?, debt_netted_minor = ?, updated_at = now()
        WHERE order_id = ?`,
      [transfer.id, netted, orderId],
    );
    await recordOrderEvent(tx, {
      orderId,
      kind: "transferred",
      occurredAt: at,
      actorId: null,
      data: { stripeTransferId: transfer.id, amountMinor: amount, accountId: row.account_id, debtNettedMinor: netted },
      sourceKey: `api:payable:${orderId}:transferred`,
    });
    return true;
  }

  return {
    async accrue(tx, orderId) {
      const [order] = await tx.execute<{ farm_id: string; total_minor: string; fee_minor: string; currency: string }[]>(
        "SELECT o.farm_id, o.total_minor, o.fee_minor, o.currency FROM orders o WHERE o.id = ?",
        [orderId],
      );
      const share = shareOf(Number(order.total_minor), order);
      const inserted = await tx.execute<{ id: string }[]>(
        `INSERT INTO farm_payables (id, order_id, farm_id, amount_minor, reversed_minor, currency, status)
         VALUES (gen_random_uuid(), ?, ?, ?, 0, ?, 'accrued') ON CONFLICT (order_id) DO NOTHING RETURNING id`,
        [orderId, order.farm_id, share, order.currency],
      );
      if (inserted.length === 0) return;
      // Refunds counted before there was a payable: their shares come off it now, each marked so it is taken once.
      const refunds = await tx.execute<{ id: string; amount_minor: string }[]>(
        `SELECT id, amount_minor FROM refunds
          WHERE order_id = ? AND status IN (?) AND NOT farm_share_accounted ORDER BY created_at, id FOR UPDATE`,
        [orderId, [...COUNTED_REFUND_STATUSES]],
      );
      let reversed = 0;
      for (const refund of refunds) {
        const taken = Math.min(share - reversed, shareOf(Number(refund.amount_minor), order));
        reversed += taken;
        await tx.execute("UPDATE refunds SET farm_share_reversed_minor = ?, farm_share_accounted = true WHERE id = ?", [
          taken,
          refund.id,
        ]);
      }
      if (reversed > 0) {
        await tx.execute(
          `UPDATE farm_payables SET reversed_minor = ?,
                  status = CASE WHEN ? >= amount_minor THEN 'reversed' ELSE status END
            WHERE order_id = ?`,
          [reversed, reversed, orderId],
        );
      }
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
          farm_id: string;
          amount_minor: string;
          reversed_minor: string;
          status: string;
          stripe_transfer_id: string | null;
          currency: string;
          total_minor: string;
          fee_minor: string;
        }[]
      >(
        `SELECT p.farm_id, p.amount_minor, p.reversed_minor, p.status, p.stripe_transfer_id, p.currency,
                o.total_minor, o.fee_minor
           FROM farm_payables p JOIN orders o ON o.id = p.order_id
          WHERE p.order_id = ? FOR UPDATE OF p`,
        [orderId],
      );
      if (row === undefined) return undefined;
      const left = Number(row.amount_minor) - Number(row.reversed_minor);
      const share = Math.min(left, shareOf(refundMinor, row));
      if (share <= 0) return 0;
      const debt = async (confirmed: boolean, reason: string, stripeCode: string | null) =>
        recordFarmDebt(tx, {
          farmId: row.farm_id,
          orderId,
          refundId,
          amountMinor: share,
          currency: row.currency,
          confirmed,
          reason,
          stripeCode,
          at: now(),
        });
      if (row.status === "netted") {
        // Its value settled earlier debts instead of a transfer: there is nothing at Stripe to reverse.
        await debt(true, "the farm's payout for this order went to settle earlier debts", null);
      } else if (row.stripe_transfer_id !== null) {
        try {
          await stripe.transfers.createReversal(
            row.stripe_transfer_id,
            { amount: share, metadata: { orderId, refundId } },
            { idempotencyKey: `reversal:${refundId}` },
          );
        } catch (error) {
          const failure = stripeFailureOf(error);
          await debt(isStripeRefusal(error), failure.reason, failure.stripeCode);
        }
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
      // What the farm did not give back (a debt not yet recovered) is forgiven rather than paid to it again.
      const [debt] = await tx.execute<{ id: string; amount_minor: string; netted_minor: string; status: string }[]>(
        "SELECT id, amount_minor, netted_minor, status FROM farm_debts WHERE refund_id = ? FOR UPDATE",
        [refundId],
      );
      let giveBack = shareMinor;
      if (debt !== undefined && (debt.status === "owed" || debt.status === "unconfirmed")) {
        giveBack -= Number(debt.amount_minor) - Number(debt.netted_minor);
        await tx.execute("UPDATE farm_debts SET status = 'cancelled', updated_at = now() WHERE id = ?", [debt.id]);
        await tx.execute("UPDATE order_flags SET resolved_at = now() WHERE source_key = ? AND resolved_at IS NULL", [
          `api:farm-debt:${refundId}`,
        ]);
      }
      if (giveBack > 0 && row.stripe_transfer_id !== null && row.account_id !== null) {
        await stripe.transfers.create(
          {
            amount: giveBack,
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
                              THEN (CASE WHEN stripe_transfer_id IS NULL AND debt_netted_minor = 0 THEN 'accrued'
                                         WHEN stripe_transfer_id IS NULL THEN 'netted'
                                         ELSE 'transferred' END)
                              ELSE status END,
                updated_at = now()
          WHERE order_id = ?`,
        [shareMinor, orderId],
      );
      // Back on the balance of a farm whose account is ready: it is owed now, as on delivery.
      if (row.stripe_transfer_id === null) await payOrder(tx, orderId);
    },

    confirmReversals: (fork) => confirmFarmDebtReversals(stripe, fork),
  };
}
