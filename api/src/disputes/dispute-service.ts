import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Hex } from "viem";

import type { EscrowCallView } from "../../../protocol/api/disputes.js";
import type { RefundOutcome } from "../card-payments/card-refunds.js";
import type { CardRulings } from "../card-payments/card-rulings.js";
import type { CardTerms } from "../card-payments/read-card-terms.js";
import { Dispute } from "../entities/Dispute.js";
import { DisputeEvidence } from "../entities/DisputeEvidence.js";
import { DisputeMessage } from "../entities/DisputeMessage.js";
import { Order } from "../entities/Order.js";
import { User } from "../entities/User.js";
import { NotFoundError } from "../errors.js";
import type { NotificationService } from "../notifications/notification-service.js";
import { newPhotoKey } from "../photos/new-photo-key.js";
import type { PhotoStore } from "../photos/photo-store.js";
import { processPhoto } from "../photos/process-photo.js";
import { disputeEvidenceView, disputeMessageView, disputeSummaryOf, loadDisputeDetail } from "./dispute-detail.js";
import type { DisputeDetail, DisputeEvidenceView, DisputeMessageView, DisputeSummary } from "./dispute-detail.js";
import { DisputeClosedError } from "./dispute-errors.js";
import { disputeSideOf, isDisputeStaff } from "./dispute-party.js";
import type { DisputeActor } from "./dispute-party.js";
import type { EvidencePhotoLinks } from "./evidence-photo-links.js";
import { findVisibleDispute, findWritableDispute } from "./find-visible-dispute.js";
import { notifyDisputeAudience } from "./notify-dispute-audience.js";
import { openDispute } from "./open-dispute.js";
import { recordDisputeEvent } from "./record-dispute-event.js";
import { ruleOnDispute } from "./rule-on-dispute.js";

export interface DisputeService {
  /**
   * The order's buyer or its farm's farmer opens a dispute. For an escrow order the dispute is recorded and the call
   * to send from the party's wallet is returned: the escrow changes only on-chain, and the linker reflects it.
   */
  open(
    em: EntityManager,
    actor: DisputeActor,
    orderId: string,
    input: { reason: string; text?: string },
  ): Promise<{ dispute: DisputeDetail; escrowCall: EscrowCallView | null }>;
  /**
   * An order's disputes, newest first: how a party's order page finds its dispute, including one opened straight
   * on-chain (whose timeline entry names no dispute). For the order's two parties, arbiters and admins; 404 otherwise.
   */
  forOrder(em: EntityManager, actor: DisputeActor, orderId: string): Promise<DisputeSummary[]>;
  /** The dispute with its thread and evidence: for its two parties, arbiters and admins; 404 for anyone else. */
  get(em: EntityManager, actor: DisputeActor, disputeId: string): Promise<DisputeDetail>;
  addMessage(em: EntityManager, actor: DisputeActor, disputeId: string, body: string): Promise<DisputeMessageView>;
  /** Checks the actor may add to the dispute (before an upload is read); the same check as adding itself. */
  assertCanContribute(em: EntityManager, actor: DisputeActor, disputeId: string): Promise<void>;
  addEvidence(
    em: EntityManager,
    actor: DisputeActor,
    disputeId: string,
    evidence: { kind: "text"; text: string } | { kind: "photo"; bytes: Buffer },
  ): Promise<DisputeEvidenceView>;
  /**
   * A stored evidence photo, for someone who may see the dispute (the same rule as `get`); 404 otherwise, and for a
   * removed photo.
   */
  evidencePhoto(
    em: EntityManager,
    actor: DisputeActor,
    disputeId: string,
    evidenceId: string,
  ): Promise<{ photoKey: string; inPublicStore: boolean }>;
  /** Open disputes, oldest first: what arbiters work through. */
  queue(em: EntityManager, limit: number): Promise<DisputeSummary[]>;
  /**
   * An arbiter rules: `buyerShareMinor` of the order total goes back to the buyer, the rest to the farm. A card
   * order is refunded through CardRefunds and the ruling recorded; an escrow order gets the `rule` call for the
   * arbiter's wallet, and the ruling stays pending until the indexer reports the escrow's resolution.
   */
  rule(
    em: EntityManager,
    actor: DisputeActor,
    disputeId: string,
    buyerShareMinor: number,
  ): Promise<{
    dispute: DisputeDetail;
    escrowCall: EscrowCallView | null;
    refund: RefundOutcome | null;
  }>;
}

export interface DisputeServiceDeps {
  notifications: Pick<NotificationService, "transaction">;
  cardRulings: CardRulings;
  /** The DAO's windows: a card dispute falls due after the arbitration timeout in force when it opens. */
  cardTerms: () => Promise<CardTerms>;
  /** The buyer's share, in basis points, of the escrow's default ruling over an order that had shipped. */
  defaultShippedBuyerBps: number;
  /** Where evidence photos are kept: a store of their own, never the public photo store. */
  photoStore: PhotoStore;
  photoLinks: EvidencePhotoLinks;
  /** The escrow the returned calls go to; undefined where none is configured (escrow orders cannot exist then). */
  escrow: { chainId: number; address: Hex } | undefined;
  /** How long after shipment (or delivery, once confirmed) a card order may be disputed. */
  windowMs: number;
  now?: () => Date;
}

/** The service's dependencies with its clock settled, as its parts (opening, ruling) take them. */
export type DisputeContext = Omit<DisputeServiceDeps, "now"> & { now: () => Date };

/** Disputes over orders: opening, the thread and evidence both sides and the arbiter share, and the ruling. */
export function createDisputeService(deps: DisputeServiceDeps): DisputeService {
  const context: DisputeContext = { ...deps, now: deps.now ?? (() => new Date()) };
  const { notifications, now } = context;

  async function queue(em: EntityManager, limit: number): Promise<DisputeSummary[]> {
    const disputes = await em.find(
      Dispute,
      { status: "open" },
      { populate: ["order", "order.farm"], orderBy: [{ openedAt: "asc" }, { id: "asc" }], limit },
    );
    return disputes.map((dispute) => disputeSummaryOf(dispute, dispute.order, dispute.order.farm.owner.id, deps));
  }

  return {
    open: (em, actor, orderId, input) => openDispute(context, em, actor, orderId, input),

    async forOrder(em, actor, orderId) {
      const order = await em.findOne(Order, { id: orderId, deletedAt: null }, { populate: ["farm"] });
      const farmOwnerId = order?.farm.owner.id ?? "";
      if (order === null || (disputeSideOf(order, farmOwnerId, actor.id) === null && !isDisputeStaff(actor))) {
        throw new NotFoundError("No order has this id");
      }
      const disputes = await em.find(Dispute, { order: order.id }, { orderBy: [{ openedAt: "desc" }, { id: "desc" }] });
      return disputes.map((dispute) => disputeSummaryOf(dispute, order, farmOwnerId, deps));
    },

    async get(em, actor, disputeId) {
      await findVisibleDispute(em, actor, disputeId);
      return loadDisputeDetail(em, disputeId, actor.id, deps);
    },

    async assertCanContribute(em, actor, disputeId) {
      await findWritableDispute(em, actor, disputeId);
    },

    async addMessage(em, actor, disputeId, body) {
      const { order, farmOwnerId, party } = await findWritableDispute(em, actor, disputeId);
      const message = await notifications.transaction(em.fork(), async (tx, notify) => {
        const dispute = await tx.findOneOrFail(Dispute, { id: disputeId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (dispute.status !== "open") throw new DisputeClosedError(dispute.id, dispute.status);
        const created = tx.create(DisputeMessage, { dispute, author: tx.getReference(User, actor.id), body });
        await tx.flush();
        const lockedOrder = await tx.findOneOrFail(Order, { id: order.id });
        recordDisputeEvent(tx, {
          order: lockedOrder,
          kind: "dispute_message",
          actorId: actor.id,
          data: { disputeId, messageId: String(created.id), from: party },
          sourceKey: `api:dispute:${disputeId}:message:${created.id}`,
          occurredAt: now(),
        });
        await tx.flush();
        await notifyDisputeAudience(tx, notify, lockedOrder, actor.id, {
          kind: "dispute_message",
          data: { from: party, excerpt: body.slice(0, 200) },
        });
        return created;
      });
      return disputeMessageView(message, order, farmOwnerId);
    },

    async addEvidence(em, actor, disputeId, evidence) {
      const { order, farmOwnerId, party } = await findWritableDispute(em, actor, disputeId);
      let photoKey: string | null = null;
      if (evidence.kind === "photo") {
        // Checked by content and re-encoded (metadata such as GPS dropped) before anything is stored.
        const processed = await processPhoto(evidence.bytes);
        photoKey = newPhotoKey();
        await deps.photoStore.put(photoKey, processed.renditions);
      }
      try {
        const created = await notifications.transaction(em.fork(), async (tx, notify) => {
          const dispute = await tx.findOneOrFail(Dispute, { id: disputeId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
          if (dispute.status !== "open") throw new DisputeClosedError(dispute.id, dispute.status);
          const row = tx.create(DisputeEvidence, {
            dispute,
            uploader: tx.getReference(User, actor.id),
            kind: evidence.kind,
            text: evidence.kind === "text" ? evidence.text : null,
            photoKey,
          });
          await tx.flush();
          const orderRow = await tx.findOneOrFail(Order, { id: order.id });
          recordDisputeEvent(tx, {
            order: orderRow,
            kind: "dispute_evidence",
            actorId: actor.id,
            data: { disputeId, evidenceId: String(row.id), evidenceKind: evidence.kind, from: party },
            sourceKey: `api:dispute:${disputeId}:evidence:${row.id}`,
            occurredAt: now(),
          });
          await tx.flush();
          const excerpt = evidence.kind === "text" ? `Evidence: ${evidence.text}` : "Evidence: a photo";
          await notifyDisputeAudience(tx, notify, orderRow, actor.id, {
            kind: "dispute_message",
            data: { from: party, excerpt: excerpt.slice(0, 200) },
          });
          return row;
        });
        return disputeEvidenceView(created, order, farmOwnerId, actor.id, deps.photoLinks);
      } catch (error) {
        // Nothing refers to the stored photo: remove it rather than keep an orphan.
        if (photoKey !== null) await deps.photoStore.delete(photoKey);
        throw error;
      }
    },

    async evidencePhoto(em, actor, disputeId, evidenceId) {
      await findVisibleDispute(em, actor, disputeId);
      const evidence = await em.findOne(DisputeEvidence, { id: Number(evidenceId), dispute: disputeId });
      if (evidence?.photoKey == null || evidence.photoRemovedAt != null) {
        throw new NotFoundError("No evidence photo has this id");
      }
      return { photoKey: evidence.photoKey, inPublicStore: evidence.photoInPublicStore };
    },

    queue,

    rule: (em, actor, disputeId, buyerShareMinor) => ruleOnDispute(context, em, actor, disputeId, buyerShareMinor),
  };
}
