import type { EntityManager } from "@mikro-orm/postgresql";

import { shareOfBps } from "../../../protocol/escrow/basis-points.js";
import type { CardRuling, CardRulings } from "../card-payments/card-rulings.js";
import type { Dispute } from "../entities/Dispute.js";
import type { Order } from "../entities/Order.js";
import { User } from "../entities/User.js";
import type { Notify } from "../notifications/notification-service.js";
import { recordOrderEvent } from "../orders/record-order-event.js";
import { disputeAudience } from "./dispute-audience.js";

/** What the buyer gets back by the escrow's default outcome: all of it before shipping, the default split after. */
export function defaultCardBuyerShare(
  dispute: Pick<Dispute, "shippedBeforeDispute">,
  order: Pick<Order, "totalMinor">,
  shippedBuyerBps: number,
): number {
  if (!dispute.shippedBeforeDispute) return order.totalMinor;
  return shareOfBps(order.totalMinor, shippedBuyerBps);
}

/** The ruling a closed card dispute records, for its money to be carried out (again). */
export function cardRulingOf(dispute: Dispute, order: Order, actorId: string | null): CardRuling {
  return {
    orderId: order.id,
    disputeId: dispute.id,
    buyerShareMinor: dispute.buyerShareMinor ?? 0,
    reason: dispute.reason,
    actorId,
  };
}

/**
 * Rules on a card dispute in the caller's transaction, which holds the dispute's and the order's row locks: the
 * dispute closes, the order is resolved, the buyer's refund and the farm's payable are recorded (carried out after the
 * commit with `CardRulings.carryOut`), and the timeline and everyone concerned but the arbiter are told. `actorId`
 * null is the default outcome of a dispute past its deadline. Resolved first, so a refund of the whole total then
 * turns the order refunded (and one the bank fails later puts it back to resolved).
 */
export async function ruleOnCardDispute(
  tx: EntityManager,
  notify: Notify,
  deps: { rulings: CardRulings; at: Date },
  ruling: { dispute: Dispute; order: Order; buyerShareMinor: number; actorId: string | null },
): Promise<{ refundId: string | null }> {
  const { dispute, order, buyerShareMinor, actorId } = ruling;
  dispute.status = "ruled";
  dispute.resolvedAt = deps.at;
  dispute.ruledAt = deps.at;
  dispute.ruledBy = actorId === null ? null : tx.getReference(User, actorId);
  dispute.buyerShareMinor = buyerShareMinor;
  dispute.farmShareMinor = order.totalMinor - buyerShareMinor;
  order.status = "resolved";
  await tx.flush();
  const recorded = await deps.rulings.record(tx, cardRulingOf(dispute, order, actorId));
  await recordOrderEvent(tx, {
    orderId: order.id,
    kind: "dispute_ruling",
    occurredAt: deps.at,
    actorId,
    data: {
      disputeId: dispute.id,
      pending: false,
      buyerShareMinor,
      farmShareMinor: dispute.farmShareMinor,
      ...(actorId === null ? { byTimeout: true } : {}),
      ...(recorded.refundId === null ? {} : { refundId: recorded.refundId }),
    },
    sourceKey: `api:dispute:${dispute.id}:ruling:${deps.at.getTime()}`,
  });
  const data = { buyerMinor: buyerShareMinor, farmerMinor: dispute.farmShareMinor, currency: order.currency };
  for (const userId of await disputeAudience(tx, order)) {
    if (userId !== actorId) notify({ userId, orderId: order.id, kind: "dispute_resolved", data });
  }
  return recorded;
}
