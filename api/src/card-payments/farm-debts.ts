import type { EntityManager } from "@mikro-orm/postgresql";
import Stripe from "stripe";

import { recordOrderEvent, recordOrderFlag } from "../orders/record-order-event.js";

/**
 * Whether a failed Stripe call is known not to have happened (Stripe answered and refused it), as opposed to an
 * outcome nobody knows (no answer, a server error): only the first may be treated as final.
 */
export function isStripeRefusal(error: unknown): error is Stripe.errors.StripeError {
  return (
    error instanceof Stripe.errors.StripeInvalidRequestError ||
    error instanceof Stripe.errors.StripeCardError ||
    error instanceof Stripe.errors.StripePermissionError
  );
}

/** What Stripe said, for a debt's reason or a flag. */
export function stripeFailureOf(error: unknown): { reason: string; stripeCode: string | null } {
  if (error instanceof Stripe.errors.StripeError) {
    return { reason: error.message, stripeCode: error.code ?? null };
  }
  return { reason: error instanceof Error ? error.message : String(error), stripeCode: null };
}

/**
 * Records what a farm owes for a refund's share that its Stripe account did not give back: `owed` when Stripe refused
 * the reversal (netted from the farm's next payouts), `unconfirmed` when its outcome is unknown (asked again under the
 * same key before anything is netted). The order is flagged for admins with the reason and the timeline shows it.
 * The refund itself stands: it happened.
 */
export async function recordFarmDebt(
  tx: EntityManager,
  debt: {
    farmId: string;
    orderId: string;
    refundId: string;
    amountMinor: number;
    currency: string;
    confirmed: boolean;
    reason: string;
    stripeCode: string | null;
    at: Date;
  },
): Promise<void> {
  const status = debt.confirmed ? "owed" : "unconfirmed";
  await tx.execute(
    `INSERT INTO farm_debts (id, farm_id, order_id, refund_id, amount_minor, currency, status, reason)
     VALUES (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (refund_id) DO NOTHING`,
    [debt.farmId, debt.orderId, debt.refundId, debt.amountMinor, debt.currency, status, debt.reason],
  );
  const details = {
    refundId: debt.refundId,
    amountMinor: debt.amountMinor,
    currency: debt.currency,
    reason: debt.reason,
    stripeCode: debt.stripeCode,
    status,
  };
  await recordOrderFlag(tx, {
    orderId: debt.orderId,
    kind: "farm_debt",
    details,
    sourceKey: `api:farm-debt:${debt.refundId}`,
  });
  await recordOrderEvent(tx, {
    orderId: debt.orderId,
    kind: "farm_debt",
    occurredAt: debt.at,
    actorId: null,
    data: details,
    sourceKey: `api:farm-debt:${debt.refundId}`,
  });
}

/**
 * Takes what the farm owes off a payout of `availableMinor` for `payingOrderId`, oldest debt first, in the caller's
 * transaction (the debts' rows locked until it commits); returns how much was netted.
 */
export async function netFarmDebts(
  tx: EntityManager,
  input: { farmId: string; currency: string; payingOrderId: string; availableMinor: number; at: Date },
): Promise<number> {
  const debts = await tx.execute<{ id: string; order_id: string; refund_id: string; left: string }[]>(
    `SELECT id, order_id, refund_id, (amount_minor - netted_minor)::text AS left FROM farm_debts
      WHERE farm_id = ? AND currency = ? AND status = 'owed'
      ORDER BY created_at, id FOR UPDATE`,
    [input.farmId, input.currency],
  );
  let netted = 0;
  for (const debt of debts) {
    const take = Math.min(input.availableMinor - netted, Number(debt.left));
    if (take <= 0) break;
    await tx.execute(
      `UPDATE farm_debts SET netted_minor = netted_minor + ?,
              status = CASE WHEN netted_minor + ? >= amount_minor THEN 'settled' ELSE status END, updated_at = now()
        WHERE id = ?`,
      [take, take, debt.id],
    );
    const data = {
      debtId: debt.id,
      refundId: debt.refund_id,
      amountMinor: take,
      nettedFromOrderId: input.payingOrderId,
    };
    await recordOrderEvent(tx, {
      orderId: debt.order_id,
      kind: "debt_netted",
      occurredAt: input.at,
      actorId: null,
      data,
      sourceKey: `api:debt-netted:${debt.id}:${input.payingOrderId}`,
    });
    if (debt.order_id !== input.payingOrderId) {
      await recordOrderEvent(tx, {
        orderId: input.payingOrderId,
        kind: "debt_netted",
        occurredAt: input.at,
        actorId: null,
        data,
        sourceKey: `api:debt-netted-from:${debt.id}:${input.payingOrderId}`,
      });
    }
    netted += take;
  }
  if (netted > 0) {
    await tx.execute(
      `UPDATE order_flags SET resolved_at = now()
        WHERE kind = 'farm_debt' AND resolved_at IS NULL
          AND (details->>'refundId')::uuid IN (SELECT refund_id FROM farm_debts WHERE farm_id = ? AND status = 'settled')`,
      [input.farmId],
    );
  }
  return netted;
}
