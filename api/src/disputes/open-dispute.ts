import { LockMode, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Hex } from "viem";

import type { EscrowCallView } from "../../../protocol/api/disputes.js";
import { escrowOrdersIndexed, findEscrowOrder } from "../chain-reads/escrow-orders.js";
import { Dispute } from "../entities/Dispute.js";
import { DisputeEvidence } from "../entities/DisputeEvidence.js";
import { Order } from "../entities/Order.js";
import { User } from "../entities/User.js";
import { ForbiddenError, NotFoundError } from "../errors.js";
import { loadDisputeDetail } from "./dispute-detail.js";
import type { DisputeDetail } from "./dispute-detail.js";
import { DisputeAlreadyOpenError, OrderNotDisputableError } from "./dispute-errors.js";
import { CARD_DISPUTABLE_STATUSES, whyNotDisputable } from "./dispute-eligibility.js";
import { disputeSideOf, isDisputeStaff } from "./dispute-party.js";
import type { DisputeActor } from "./dispute-party.js";
import type { DisputeContext } from "./dispute-service.js";
import { escrowCallView } from "./escrow-call-view.js";
import { notifyDisputeAudience } from "./notify-dispute-audience.js";
import { recordDisputeEvent } from "./record-dispute-event.js";

/** Where an escrow dispute stands on-chain: its state and current deadline, when the indexer has the order. */
async function escrowState(em: EntityManager, context: DisputeContext, order: Order) {
  if (context.escrow === undefined || order.escrowOrderId == null) return undefined;
  if (!(await escrowOrdersIndexed(em))) return undefined;
  return findEscrowOrder(em, context.escrow.chainId, order.escrowOrderId, order.escrowRef);
}

/** DisputeService.open: the order's buyer or its farm's farmer opens a dispute. */
export async function openDispute(
  context: DisputeContext,
  em: EntityManager,
  actor: DisputeActor,
  orderId: string,
  input: { reason: string; text?: string },
): Promise<{ dispute: DisputeDetail; escrowCall: EscrowCallView | null }> {
  const { now } = context;
  const order = await em.findOne(Order, { id: orderId, deletedAt: null }, { populate: ["farm"] });
  const farmOwnerId = order?.farm.owner.id ?? "";
  const side = order === null ? null : disputeSideOf(order, farmOwnerId, actor.id);
  if (order === null || (side === null && !isDisputeStaff(actor))) throw new NotFoundError("No order has this id");
  if (side === null) throw new ForbiddenError("Only the order's buyer or its farm's farmer can open a dispute");

  // Before the status checks: a card order under dispute is no longer "paid", yet the answer is the open dispute.
  const openAlready = await em.findOne(Dispute, { order: order.id, status: "open" });
  if (openAlready !== null) throw new DisputeAlreadyOpenError(order.id, openAlready.id);

  const onChain = order.paymentMethod === "escrow" ? await escrowState(em, context, order) : undefined;
  const refusal = whyNotDisputable(order, {
    now: now(),
    windowMs: context.windowMs,
    onChain: onChain === undefined ? undefined : { deadline: new Date(Number(onChain.deadline) * 1000) },
  });
  if (refusal !== undefined) throw new OrderNotDisputableError(order.id, refusal);
  const from =
    order.paymentMethod === "escrow"
      ? (((side === "buyer" ? onChain?.buyer : order.escrowSeller) ?? null) as Hex | null)
      : null;

  const arbitrationTimeoutMs =
    order.paymentMethod === "card" ? (await context.cardTerms()).arbitrationTimeoutMs : undefined;
  let disputeId: string;
  try {
    disputeId = await context.notifications.transaction(em.fork(), async (tx, notify) => {
      const locked = await tx.findOneOrFail(Order, { id: order.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const already = await tx.findOne(Dispute, { order: order.id, status: "open" });
      if (already !== null) throw new DisputeAlreadyOpenError(order.id, already.id);
      if (order.paymentMethod === "card" && !CARD_DISPUTABLE_STATUSES.includes(locked.status)) {
        throw new OrderNotDisputableError(order.id, `it is ${locked.status}`);
      }
      const openedAt = now();
      const dispute = tx.create(Dispute, {
        order: locked,
        openedBy: tx.getReference(User, actor.id),
        reason: input.reason,
        status: "open",
        openedAt,
        // The escrow's own deadline and default are on-chain; a card dispute keeps the same rule here.
        deadline: arbitrationTimeoutMs === undefined ? null : new Date(openedAt.getTime() + arbitrationTimeoutMs),
        shippedBeforeDispute: locked.status === "shipped" || locked.status === "delivered",
      });
      // A card dispute takes effect here; an escrow one when the chain records the party's openDispute.
      if (order.paymentMethod === "card") locked.status = "disputed";
      if (input.text !== undefined) {
        tx.create(DisputeEvidence, {
          dispute,
          uploader: tx.getReference(User, actor.id),
          kind: "text",
          text: input.text,
          photoKey: null,
        });
      }
      recordDisputeEvent(tx, {
        order: locked,
        kind: "dispute_opened",
        actorId: actor.id,
        data: { disputeId: dispute.id, openedBy: side, reason: input.reason },
        sourceKey: `api:dispute:${dispute.id}:opened`,
        occurredAt: now(),
      });
      await tx.flush();
      await notifyDisputeAudience(tx, notify, locked, actor.id, {
        kind: "dispute_opened",
        data: { openedBy: side, reason: input.reason },
      });
      return dispute.id;
    });
  } catch (error) {
    // Two parties opening at once: the partial unique index lets one through.
    if (error instanceof UniqueConstraintViolationException) throw new DisputeAlreadyOpenError(order.id, null);
    throw error;
  }
  return {
    dispute: await loadDisputeDetail(em, disputeId, actor.id, context),
    escrowCall:
      order.paymentMethod === "escrow"
        ? escrowCallView(context.escrow, "openDispute", order.escrowOrderId!, from)
        : null,
  };
}
