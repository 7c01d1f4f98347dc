import type { EntityManager } from "@mikro-orm/postgresql";

import { recordOrderEvent } from "../orders/record-order-event.js";

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
