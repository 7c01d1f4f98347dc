import type { EntityManager } from "@mikro-orm/postgresql";
import type Stripe from "stripe";

import { isStripeRefusal } from "./is-stripe-refusal.js";
import { stripeFailureOf } from "./stripe-failure-of.js";

/**
 * Asks Stripe again, under the same keys, for the reversals of farm debts whose outcome was unknown: each becomes
 * settled (it went through) or owed (refused). How many were decided.
 */
export async function confirmFarmDebtReversals(stripe: Stripe, fork: () => EntityManager): Promise<number> {
  const pending = await fork().execute<{ id: string; refund_id: string }[]>(
    "SELECT id, refund_id FROM farm_debts WHERE status = 'unconfirmed' ORDER BY created_at LIMIT 50",
  );
  let decided = 0;
  for (const { id } of pending) {
    const outcome = await fork().transactional(async (tx) => {
      const [debt] = await tx.execute<
        { refund_id: string; order_id: string; amount_minor: string; status: string; transfer_id: string | null }[]
      >(
        `SELECT d.refund_id, d.order_id, d.amount_minor, d.status, p.stripe_transfer_id AS transfer_id
             FROM farm_debts d JOIN farm_payables p ON p.order_id = d.order_id
            WHERE d.id = ? FOR UPDATE OF d SKIP LOCKED`,
        [id],
      );
      if (debt?.status !== "unconfirmed" || debt.transfer_id === null) return false;
      try {
        const reversal = await stripe.transfers.createReversal(
          debt.transfer_id,
          { amount: Number(debt.amount_minor), metadata: { orderId: debt.order_id, refundId: debt.refund_id } },
          { idempotencyKey: `reversal:${debt.refund_id}` },
        );
        await tx.execute(
          "UPDATE farm_debts SET status = 'settled', stripe_reversal_id = ?, updated_at = now() WHERE id = ?",
          [reversal.id, id],
        );
        await tx.execute("UPDATE order_flags SET resolved_at = now() WHERE source_key = ?", [
          `api:farm-debt:${debt.refund_id}`,
        ]);
      } catch (error) {
        if (!isStripeRefusal(error)) return false;
        await tx.execute("UPDATE farm_debts SET status = 'owed', reason = ?, updated_at = now() WHERE id = ?", [
          stripeFailureOf(error).reason,
          id,
        ]);
      }
      return true;
    });
    if (outcome) decided += 1;
  }
  return decided;
}
