import type { EntityManager } from "@mikro-orm/postgresql";

import type { UnjudgedEscrowOrderRow } from "../chain-reads/escrow-orders.js";
import { computePlatformFee } from "../../../protocol/escrow/compute-platform-fee.js";
import type { Order } from "../entities/Order.js";
import { OrderEvent } from "../entities/OrderEvent.js";

/**
 * The fee is the one the escrow snapshotted when the order was created on-chain (the DAO may have changed it since
 * checkout): the order takes it, rounded as the escrow rounds, and its timeline says so.
 */
export function correctEscrowFee(
  tx: EntityManager,
  order: Order,
  escrow: Pick<UnjudgedEscrowOrderRow, "order_id" | "fee_bps">,
  at: Date,
): void {
  if (escrow.fee_bps === order.feeBps) return;
  const feeMinor = Number(computePlatformFee(BigInt(order.subtotalMinor), escrow.fee_bps));
  tx.create(OrderEvent, {
    order,
    kind: "fee_corrected",
    occurredAt: at,
    actor: null,
    data: {
      escrowOrderId: escrow.order_id,
      fromBps: order.feeBps,
      toBps: escrow.fee_bps,
      fromMinor: order.feeMinor,
      toMinor: feeMinor,
    },
    sourceKey: `api:order:${order.id}:fee:${escrow.order_id}`,
  });
  order.feeBps = escrow.fee_bps;
  order.feeMinor = feeMinor;
}
