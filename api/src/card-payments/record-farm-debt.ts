import type { EntityManager } from "@mikro-orm/postgresql";

import { recordOrderEvent } from "../orders/record-order-event.js";
import { recordOrderFlag } from "../orders/record-order-flag.js";

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
