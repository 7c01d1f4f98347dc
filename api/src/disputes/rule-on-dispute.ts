import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import type { EscrowCallView } from "../../../protocol/api/disputes.js";
import { bpsOfShare, shareOfBps } from "../../../protocol/escrow/basis-points.js";
import type { RefundOutcome } from "../card-payments/card-refunds.js";
import { Dispute } from "../entities/Dispute.js";
import { Order } from "../entities/Order.js";
import { User } from "../entities/User.js";
import { ForbiddenError, ValidationError } from "../errors.js";
import { loadDisputeDetail } from "./dispute-detail.js";
import type { DisputeDetail } from "./dispute-detail.js";
import { DisputeClosedError, DisputeNotOnChainError } from "./dispute-errors.js";
import { disputeSideOf } from "./dispute-party.js";
import type { DisputeActor } from "./dispute-party.js";
import type { DisputeContext } from "./dispute-service.js";
import { escrowCallView } from "./escrow-call-view.js";
import { findVisibleDispute } from "./find-visible-dispute.js";
import { recordDisputeEvent } from "./record-dispute-event.js";
import { cardRulingOf, ruleOnCardDispute } from "./rule-on-card-dispute.js";

/** DisputeService.rule: an arbiter rules on a dispute (a card order's refund, or the escrow's `rule` call). */
export async function ruleOnDispute(
  context: DisputeContext,
  em: EntityManager,
  actor: DisputeActor,
  disputeId: string,
  buyerShareMinor: number,
): Promise<{ dispute: DisputeDetail; escrowCall: EscrowCallView | null; refund: RefundOutcome | null }> {
  const { order, farmOwnerId } = await findVisibleDispute(em, actor, disputeId);
  if (disputeSideOf(order, farmOwnerId, actor.id) !== null) {
    throw new ForbiddenError("An arbiter cannot rule on a dispute over their own order");
  }
  if (buyerShareMinor > order.totalMinor) {
    throw new ValidationError("The request is invalid", [
      { path: "body.buyerShareMinor", message: `at most the order total, ${order.totalMinor}` },
    ]);
  }
  const result = await context.notifications.transaction(em.fork(), async (tx, notify) => {
    const dispute = await tx.findOneOrFail(Dispute, { id: disputeId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const locked = await tx.findOneOrFail(Order, { id: order.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (dispute.status !== "open") {
      // The same card ruling again (its answer was lost, Stripe did not answer): it carries out the one recorded.
      const repeated =
        locked.paymentMethod === "card" && dispute.status === "ruled" && dispute.buyerShareMinor === buyerShareMinor;
      if (!repeated) throw new DisputeClosedError(dispute.id, dispute.status);
      return { escrowCall: null, ...(await context.cardRulings.record(tx, cardRulingOf(dispute, locked, actor.id))) };
    }
    const at = context.now();
    dispute.ruledBy = tx.getReference(User, actor.id);
    dispute.ruledAt = at;

    if (locked.paymentMethod === "escrow") {
      // The chain splits in basis points: the share is rounded down to one it can pay exactly.
      if (locked.status !== "disputed") throw new DisputeNotOnChainError(dispute.id);
      const buyerBps = bpsOfShare(buyerShareMinor, locked.totalMinor);
      const buyerMinor = shareOfBps(locked.totalMinor, buyerBps);
      dispute.buyerShareMinor = buyerMinor;
      dispute.farmShareMinor = locked.totalMinor - buyerMinor;
      recordDisputeEvent(tx, {
        order: locked,
        kind: "dispute_ruling",
        actorId: actor.id,
        data: {
          disputeId,
          pending: true,
          buyerShareMinor: buyerMinor,
          farmShareMinor: dispute.farmShareMinor,
          buyerBps,
        },
        sourceKey: `api:dispute:${disputeId}:ruling:${at.getTime()}`,
        occurredAt: context.now(),
      });
      await tx.flush();
      return {
        escrowCall: escrowCallView(context.escrow, "rule", locked.escrowOrderId!, null, buyerBps),
        refundId: null,
      };
    }
    const recorded = await ruleOnCardDispute(
      tx,
      notify,
      { rulings: context.cardRulings, at },
      { dispute, order: locked, buyerShareMinor, actorId: actor.id },
    );
    return { escrowCall: null, ...recorded };
  });
  // After the commit: the ruling stands whatever Stripe answers; the outcome says where the refund is.
  const refund = order.paymentMethod === "card" ? await context.cardRulings.carryOut(order.id, result.refundId) : null;
  return {
    dispute: await loadDisputeDetail(em, disputeId, actor.id, context),
    escrowCall: result.escrowCall,
    refund,
  };
}
