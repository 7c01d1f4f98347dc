import type { EntityManager } from "@mikro-orm/postgresql";

import { COUNTED_REFUND_STATUSES } from "../../../protocol/vocabulary/order-vocabulary.js";

/**
 * Where the money a card buyer paid for one order went, in the order's minor units: back to the buyer (refunds and
 * lost chargebacks), to the farm (its payable, accrued or transferred, net of what was taken back), to the platform
 * (its fee on the farm's part), or still held waiting for an outcome (paid, shipped, disputed). Once the order is
 * settled (the farm's payable exists, or everything went back) nothing is held.
 * Invariant: buyer + farm + platform + held = charged.
 */
export interface CardOrderMoney {
  chargedMinor: number;
  buyerMinor: number;
  farmMinor: number;
  platformMinor: number;
  heldMinor: number;
  settled: boolean;
}

/** The money of each card order of `orderIds` (orders not paid by card are left out). */
export async function cardOrderMoney(
  em: EntityManager,
  orderIds: readonly string[],
): Promise<Map<string, CardOrderMoney>> {
  if (orderIds.length === 0) return new Map();
  const rows = await em.execute<
    { id: string; charged: string; refunded: string; payable: string | null; farm_net: string | null }[]
  >(
    `SELECT o.id,
            CASE WHEN o.paid_at IS NOT NULL
                      OR EXISTS (SELECT 1 FROM order_flags f WHERE f.order_id = o.id AND f.kind = 'late_payment')
                 THEN o.total_minor ELSE 0 END AS charged,
            COALESCE((SELECT sum(r.amount_minor) FROM refunds r WHERE r.order_id = o.id AND r.status IN (?)), 0)
              AS refunded,
            p.id AS payable, p.amount_minor - p.reversed_minor AS farm_net
       FROM orders o LEFT JOIN farm_payables p ON p.order_id = o.id
      WHERE o.id IN (?) AND o.payment_method = 'card'`,
    [[...COUNTED_REFUND_STATUSES], [...orderIds]],
  );
  return new Map(
    rows.map((row) => {
      const charged = Number(row.charged);
      const buyer = Number(row.refunded);
      const farm = row.farm_net === null ? 0 : Number(row.farm_net);
      const settled = row.payable !== null || buyer >= charged;
      const platform = settled ? charged - buyer - farm : 0;
      return [
        row.id,
        {
          chargedMinor: charged,
          buyerMinor: buyer,
          farmMinor: farm,
          platformMinor: platform,
          heldMinor: charged - buyer - farm - platform,
          settled,
        },
      ];
    }),
  );
}
