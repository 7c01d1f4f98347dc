import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import type { CardRulings } from "../card-payments/card-rulings.js";
import { lockRefundable } from "../card-payments/record-card-refund.js";
import { Dispute } from "../entities/Dispute.js";
import { Order } from "../entities/Order.js";
import type { NotificationService } from "../notifications/notification-service.js";
import { defaultCardBuyerShare, ruleOnCardDispute } from "./rule-on-card-dispute.js";

export interface CardDisputeTimeouts {
  /**
   * Gives every card dispute whose deadline passed without a ruling the escrow's default outcome (a full refund if
   * the order had not shipped when the dispute opened, else the default split of what is left), as a ruling by
   * nobody, and carries its money out; how many.
   */
  resolveOverdue(): Promise<number>;
}

/** The escrow's arbitration timeout, for card disputes. Safe beside other processes: each dispute is claimed once. */
export function createCardDisputeTimeouts(deps: {
  notifications: Pick<NotificationService, "transaction">;
  rulings: CardRulings;
  /** The buyer's share, in basis points, of the escrow's default ruling over an order that had shipped. */
  defaultShippedBuyerBps: number;
  fork: () => EntityManager;
  now?: () => Date;
}): CardDisputeTimeouts {
  const now = deps.now ?? (() => new Date());
  return {
    async resolveOverdue() {
      let resolved = 0;
      for (;;) {
        const due = await deps.notifications.transaction(deps.fork(), async (tx, notify) => {
          const at = now();
          const [row] = await tx.execute<{ id: string }[]>(
            `SELECT d.id FROM disputes d JOIN orders o ON o.id = d.order_id
              WHERE d.status = 'open' AND d.deadline <= ? AND o.payment_method = 'card'
              ORDER BY d.deadline LIMIT 1 FOR UPDATE OF d SKIP LOCKED`,
            [at],
          );
          if (row === undefined) return undefined;
          const dispute = await tx.findOneOrFail(Dispute, { id: row.id });
          const order = await tx.findOneOrFail(
            Order,
            { id: dispute.order.id },
            { populate: ["farm"], lockMode: LockMode.PESSIMISTIC_WRITE },
          );
          const refundable = await lockRefundable(tx, order.id);
          const left = refundable === undefined ? 0 : refundable.totalMinor - refundable.refundedMinor;
          const buyerShareMinor = Math.min(defaultCardBuyerShare(dispute, order, deps.defaultShippedBuyerBps), left);
          const { refundId } = await ruleOnCardDispute(
            tx,
            notify,
            { rulings: deps.rulings, at },
            { dispute, order, buyerShareMinor, actorId: null },
          );
          return { orderId: order.id, refundId };
        });
        if (due === undefined) return resolved;
        await deps.rulings.carryOut(due.orderId, due.refundId);
        resolved += 1;
      }
    },
  };
}
