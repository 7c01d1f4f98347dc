import { LockMode, UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { encodeFunctionData } from "viem";
import type { Hex } from "viem";

import { marketplaceEscrowAbi } from "../../../deploy/generated/contracts.js";
import { Dispute } from "../entities/Dispute.js";
import { DisputeEvidence } from "../entities/DisputeEvidence.js";
import { DisputeMessage } from "../entities/DisputeMessage.js";
import { Order } from "../entities/Order.js";
import { OrderEvent } from "../entities/OrderEvent.js";
import { User } from "../entities/User.js";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors.js";
import type { DisputeEvidenceKind, DisputeStatus, OrderStatus, PaymentMethod } from "../order-vocabulary.js";
import type { Role } from "../roles.js";
import type { RefundOutcome } from "../card-payments/card-refunds.js";
import { cardRulingOf, defaultCardBuyerShare, ruleOnCardDispute } from "./rule-on-card-dispute.js";
import type { CardRulings } from "../card-payments/card-rulings.js";
import type { CardTerms } from "../card-payments/read-card-terms.js";
import { disputeAudience } from "./dispute-audience.js";
import {
  DisputeAlreadyOpenError,
  DisputeClosedError,
  DisputeNotOnChainError,
  OrderNotDisputableError,
} from "./dispute-errors.js";
import type { EvidencePhotoLinks, EvidencePhotoUrls } from "./evidence-photo-links.js";
import { newPhotoKey } from "../photos/new-photo-key.js";
import type { NotificationService, Notify } from "../notifications/notification-service.js";
import type { PhotoStore } from "../photos/photo-store.js";
import { processPhoto } from "../photos/process-photo.js";

/** Who asks: their id and roles, as the access token says. */
export interface DisputeActor {
  id: string;
  roles: readonly Role[];
}

/** How someone takes part in a dispute: one of the order's two sides, or an arbiter. */
export type DisputeParty = "buyer" | "farmer" | "arbiter";

/** A transaction for a wallet to send to the escrow, encoded, with what it means. */
export interface EscrowCallView {
  chainId: number;
  to: Hex;
  data: Hex;
  value: "0";
  /** The wallet that must send it, when the API knows it (the order's buyer or seller); null for the arbiter's. */
  from: Hex | null;
  functionName: "openDispute" | "rule";
  args: { orderId: string; buyerBps?: number };
}

export interface DisputeMessageView {
  id: string;
  authorId: string | null;
  from: DisputeParty | null;
  body: string;
  createdAt: string;
}

export interface DisputeEvidenceView {
  id: string;
  uploaderId: string | null;
  from: DisputeParty | null;
  kind: DisputeEvidenceKind;
  text: string | null;
  /** Links signed for the viewer who asked; null for a statement or a removed photo. */
  photo: EvidencePhotoUrls | null;
  /** When the photo was removed: the dispute's retention ended, or its uploader deleted the account. */
  photoRemovedAt: string | null;
  createdAt: string;
}

export interface DisputeOrderView {
  id: string;
  status: OrderStatus;
  paymentMethod: PaymentMethod;
  totalMinor: number;
  currency: string;
  buyerId: string;
  farm: { id: string; name: string };
}

export interface DisputeSummary {
  id: string;
  status: DisputeStatus;
  reason: string;
  openedBy: { id: string; party: DisputeParty | null };
  openedAt: string;
  resolvedAt: string | null;
  /**
   * The ruling's split of the order total. `pending` while an escrow ruling waits for its transaction to be
   * indexed; then `chainTxHash` names the escrow's resolution.
   */
  ruling: {
    buyerShareMinor: number;
    farmShareMinor: number;
    ruledBy: string | null;
    ruledAt: string | null;
    pending: boolean;
    chainTxHash: string | null;
  } | null;
  /**
   * For an open card dispute: when, without a ruling, the escrow's default outcome applies, and what the buyer then
   * gets back (everything if the order had not shipped, half if it had). Null for escrow disputes (the chain keeps
   * their deadline) and closed ones.
   */
  timeout: { deadline: string; buyerShareMinor: number } | null;
  order: DisputeOrderView;
}

export interface DisputeDetail extends DisputeSummary {
  messages: DisputeMessageView[];
  evidence: DisputeEvidenceView[];
}

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

/** Orders whose card payment may be disputed: any time before shipping, then within the window after it. */
const CARD_DISPUTABLE: readonly OrderStatus[] = ["paid", "shipped", "delivered"];
/**
 * Escrow states `openDispute` accepts (Funded, Shipped), as order statuses; cancelled and expired orders too, when
 * a payment that came after their stock was released is linked to them (still funded: the farm may ship it).
 */
const ESCROW_DISPUTABLE: readonly OrderStatus[] = ["paid", "shipped", "cancelled", "expired"];

/** Disputes over orders: opening, the thread and evidence both sides and the arbiter share, and the ruling. */
export function createDisputeService(deps: {
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
}): DisputeService {
  const { notifications } = deps;
  const now = deps.now ?? (() => new Date());

  function isStaff(actor: DisputeActor): boolean {
    return actor.roles.includes("arbiter") || actor.roles.includes("admin");
  }

  /** The user's side of the order, if any. */
  function sideOf(order: Order, farmOwnerId: string, userId: string): "buyer" | "farmer" | null {
    if (order.buyer.id === userId) return "buyer";
    if (farmOwnerId === userId) return "farmer";
    return null;
  }

  /**
   * How the user takes part: their side of the order, else arbiter when they hold the role (an arbiter who is also a
   * party counts as that party). Without `roles` (the author of a stored message) anyone else is the arbiter: only
   * parties and arbiters can write.
   */
  function partyOf(
    order: Order,
    farmOwnerId: string,
    userId: string | null,
    roles?: readonly Role[],
  ): DisputeParty | null {
    if (userId === null) return null;
    return sideOf(order, farmOwnerId, userId) ?? (roles === undefined || roles.includes("arbiter") ? "arbiter" : null);
  }

  function escrowCall(
    functionName: "openDispute" | "rule",
    escrowOrderId: string,
    from: Hex | null,
    buyerBps?: number,
  ): EscrowCallView {
    if (deps.escrow === undefined) throw new Error("an escrow order without a configured escrow");
    const data =
      functionName === "openDispute"
        ? encodeFunctionData({ abi: marketplaceEscrowAbi, functionName, args: [BigInt(escrowOrderId)] })
        : encodeFunctionData({ abi: marketplaceEscrowAbi, functionName, args: [BigInt(escrowOrderId), buyerBps!] });
    return {
      chainId: deps.escrow.chainId,
      to: deps.escrow.address,
      data,
      value: "0",
      from,
      functionName,
      args: buyerBps === undefined ? { orderId: escrowOrderId } : { orderId: escrowOrderId, buyerBps },
    };
  }

  /** The dispute and its order, if the actor may see it; 404 otherwise, as for no dispute. */
  async function visible(em: EntityManager, actor: DisputeActor, disputeId: string) {
    const dispute = await em.findOne(Dispute, { id: disputeId });
    if (dispute === null) throw new NotFoundError("No dispute has this id");
    const order = await em.findOneOrFail(Order, { id: dispute.order.id }, { populate: ["farm"] });
    const farmOwnerId = order.farm.owner.id;
    if (sideOf(order, farmOwnerId, actor.id) === null && !isStaff(actor)) {
      throw new NotFoundError("No dispute has this id");
    }
    return { dispute, order, farmOwnerId };
  }

  /** As `visible`, and the actor may write to it: a party or an arbiter (an admin only reads), while it is open. */
  async function writable(em: EntityManager, actor: DisputeActor, disputeId: string) {
    const found = await visible(em, actor, disputeId);
    const party = partyOf(found.order, found.farmOwnerId, actor.id, actor.roles);
    if (party === null) throw new ForbiddenError("Only the order's buyer and farmer, and arbiters, take part");
    if (found.dispute.status !== "open") throw new DisputeClosedError(found.dispute.id, found.dispute.status);
    return { ...found, party };
  }

  function summaryOf(dispute: Dispute, order: Order, farmOwnerId: string): DisputeSummary {
    const hasRuling = dispute.buyerShareMinor != null && dispute.farmShareMinor != null;
    return {
      id: dispute.id,
      status: dispute.status,
      reason: dispute.reason,
      openedBy: { id: dispute.openedBy.id, party: sideOf(order, farmOwnerId, dispute.openedBy.id) },
      openedAt: dispute.openedAt.toISOString(),
      resolvedAt: dispute.resolvedAt?.toISOString() ?? null,
      ruling: hasRuling
        ? {
            buyerShareMinor: dispute.buyerShareMinor!,
            farmShareMinor: dispute.farmShareMinor!,
            ruledBy: dispute.ruledBy?.id ?? null,
            ruledAt: dispute.ruledAt?.toISOString() ?? null,
            pending: dispute.status === "open",
            chainTxHash: dispute.chainTxHash ?? null,
          }
        : null,
      timeout:
        dispute.status === "open" && dispute.deadline != null
          ? {
              deadline: dispute.deadline.toISOString(),
              buyerShareMinor: defaultCardBuyerShare(dispute, order, deps.defaultShippedBuyerBps),
            }
          : null,
      order: {
        id: order.id,
        status: order.status,
        paymentMethod: order.paymentMethod,
        totalMinor: order.totalMinor,
        currency: order.currency,
        buyerId: order.buyer.id,
        farm: { id: order.farm.id, name: order.farm.name },
      },
    };
  }

  function messageView(message: DisputeMessage, order: Order, farmOwnerId: string): DisputeMessageView {
    const authorId = message.author?.id ?? null;
    return {
      id: String(message.id),
      authorId,
      from: partyOf(order, farmOwnerId, authorId),
      body: message.body,
      createdAt: message.createdAt.toISOString(),
    };
  }

  function evidenceView(
    evidence: DisputeEvidence,
    order: Order,
    farmOwnerId: string,
    viewerId: string,
  ): DisputeEvidenceView {
    const uploaderId = evidence.uploader?.id ?? null;
    const shown = evidence.photoKey != null && evidence.photoRemovedAt == null;
    return {
      id: String(evidence.id),
      uploaderId,
      from: partyOf(order, farmOwnerId, uploaderId),
      kind: evidence.kind,
      text: evidence.text ?? null,
      photo: shown
        ? deps.photoLinks.urls({ disputeId: evidence.dispute.id, evidenceId: String(evidence.id) }, viewerId)
        : null,
      photoRemovedAt: evidence.photoRemovedAt?.toISOString() ?? null,
      createdAt: evidence.createdAt.toISOString(),
    };
  }

  /** The dispute as `viewerId` sees it: evidence photos come as links signed for them. */
  async function detail(em: EntityManager, disputeId: string, viewerId: string): Promise<DisputeDetail> {
    const read = em.fork();
    const dispute = await read.findOneOrFail(Dispute, { id: disputeId });
    const order = await read.findOneOrFail(Order, { id: dispute.order.id }, { populate: ["farm"] });
    const farmOwnerId = order.farm.owner.id;
    const messages = await read.find(DisputeMessage, { dispute: disputeId }, { orderBy: { id: "asc" } });
    const evidence = await read.find(DisputeEvidence, { dispute: disputeId }, { orderBy: { id: "asc" } });
    return {
      ...summaryOf(dispute, order, farmOwnerId),
      messages: messages.map((message) => messageView(message, order, farmOwnerId)),
      evidence: evidence.map((item) => evidenceView(item, order, farmOwnerId, viewerId)),
    };
  }

  function timeline(
    tx: EntityManager,
    order: Order,
    kind: "dispute_opened" | "dispute_message" | "dispute_evidence" | "dispute_ruling",
    actorId: string | null,
    data: Record<string, unknown>,
    sourceKey: string,
  ) {
    tx.create(OrderEvent, {
      order,
      kind,
      occurredAt: now(),
      actor: actorId === null ? null : tx.getReference(User, actorId),
      data,
      sourceKey,
    });
  }

  /** Tells everyone concerned but the actor, who knows already. */
  async function tellOthers(
    tx: EntityManager,
    notify: Notify,
    order: Order,
    actorId: string,
    message:
      | { kind: "dispute_opened"; data: { openedBy: DisputeParty; reason: string } }
      | { kind: "dispute_message"; data: { from: DisputeParty; excerpt: string } }
      | { kind: "dispute_resolved"; data: { buyerMinor: number; farmerMinor: number; currency: string } },
  ) {
    for (const userId of await disputeAudience(tx, order)) {
      if (userId !== actorId) notify({ userId, orderId: order.id, ...message });
    }
  }

  /** Where an escrow dispute stands on-chain: its state and current deadline, when the indexer has the order. */
  async function escrowState(em: EntityManager, order: Order) {
    if (deps.escrow === undefined || order.escrowOrderId == null) return undefined;
    const [{ indexed }] = await em.execute<{ indexed: boolean }[]>(
      "SELECT to_regclass('indexer.escrow_orders') IS NOT NULL AS indexed",
    );
    if (!indexed) return undefined;
    const [row] = await em.execute<{ buyer: string; state: string; deadline: string }[]>(
      `SELECT buyer, state, deadline::text AS deadline FROM indexer.escrow_orders
        WHERE chain_id = ? AND order_id::text = ? AND ref = ?`,
      [deps.escrow.chainId, order.escrowOrderId, order.escrowRef],
    );
    return row;
  }

  async function queue(em: EntityManager, limit: number): Promise<DisputeSummary[]> {
    const disputes = await em.find(
      Dispute,
      { status: "open" },
      { populate: ["order", "order.farm"], orderBy: [{ openedAt: "asc" }, { id: "asc" }], limit },
    );
    return disputes.map((dispute) => summaryOf(dispute, dispute.order, dispute.order.farm.owner.id));
  }

  return {
    async open(em, actor, orderId, input) {
      const order = await em.findOne(Order, { id: orderId, deletedAt: null }, { populate: ["farm"] });
      const farmOwnerId = order?.farm.owner.id ?? "";
      const side = order === null ? null : sideOf(order, farmOwnerId, actor.id);
      if (order === null || (side === null && !isStaff(actor))) throw new NotFoundError("No order has this id");
      if (side === null) throw new ForbiddenError("Only the order's buyer or its farm's farmer can open a dispute");

      // Before the status checks: a card order under dispute is no longer "paid", yet the answer is the open dispute.
      const openAlready = await em.findOne(Dispute, { order: order.id, status: "open" });
      if (openAlready !== null) throw new DisputeAlreadyOpenError(order.id, openAlready.id);

      let from: Hex | null = null;
      if (order.paymentMethod === "card") {
        if (!CARD_DISPUTABLE.includes(order.status)) {
          throw new OrderNotDisputableError(order.id, `it is ${order.status}`);
        }
        // Before shipping the buyer may always dispute; after it, within the window from shipment or delivery.
        const windowFrom = order.deliveredAt ?? order.shippedAt;
        if (order.status !== "paid" && windowFrom != null && now().getTime() - windowFrom.getTime() > deps.windowMs) {
          throw new OrderNotDisputableError(
            order.id,
            `the dispute window after ${order.deliveredAt == null ? "shipment" : "delivery"} has passed`,
          );
        }
      } else {
        if (!ESCROW_DISPUTABLE.includes(order.status) || order.escrowOrderId == null) {
          throw new OrderNotDisputableError(order.id, `it is ${order.status}`);
        }
        const onChain = await escrowState(em, order);
        if (onChain !== undefined && Number(onChain.deadline) * 1000 <= now().getTime()) {
          throw new OrderNotDisputableError(order.id, "the escrow's window for disputes has passed");
        }
        from = ((side === "buyer" ? onChain?.buyer : order.escrowSeller) ?? null) as Hex | null;
      }

      const arbitrationTimeoutMs =
        order.paymentMethod === "card" ? (await deps.cardTerms()).arbitrationTimeoutMs : undefined;
      let disputeId: string;
      try {
        disputeId = await notifications.transaction(em.fork(), async (tx, notify) => {
          const locked = await tx.findOneOrFail(Order, { id: order.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
          const already = await tx.findOne(Dispute, { order: order.id, status: "open" });
          if (already !== null) throw new DisputeAlreadyOpenError(order.id, already.id);
          if (order.paymentMethod === "card" && !CARD_DISPUTABLE.includes(locked.status)) {
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
          timeline(
            tx,
            locked,
            "dispute_opened",
            actor.id,
            { disputeId: dispute.id, openedBy: side, reason: input.reason },
            `api:dispute:${dispute.id}:opened`,
          );
          await tx.flush();
          await tellOthers(tx, notify, locked, actor.id, {
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
        dispute: await detail(em, disputeId, actor.id),
        escrowCall: order.paymentMethod === "escrow" ? escrowCall("openDispute", order.escrowOrderId!, from) : null,
      };
    },

    async forOrder(em, actor, orderId) {
      const order = await em.findOne(Order, { id: orderId, deletedAt: null }, { populate: ["farm"] });
      const farmOwnerId = order?.farm.owner.id ?? "";
      if (order === null || (sideOf(order, farmOwnerId, actor.id) === null && !isStaff(actor))) {
        throw new NotFoundError("No order has this id");
      }
      const disputes = await em.find(Dispute, { order: order.id }, { orderBy: [{ openedAt: "desc" }, { id: "desc" }] });
      return disputes.map((dispute) => summaryOf(dispute, order, farmOwnerId));
    },

    async get(em, actor, disputeId) {
      await visible(em, actor, disputeId);
      return detail(em, disputeId, actor.id);
    },

    async assertCanContribute(em, actor, disputeId) {
      await writable(em, actor, disputeId);
    },

    async addMessage(em, actor, disputeId, body) {
      const { order, farmOwnerId, party } = await writable(em, actor, disputeId);
      const message = await notifications.transaction(em.fork(), async (tx, notify) => {
        const dispute = await tx.findOneOrFail(Dispute, { id: disputeId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (dispute.status !== "open") throw new DisputeClosedError(dispute.id, dispute.status);
        const created = tx.create(DisputeMessage, { dispute, author: tx.getReference(User, actor.id), body });
        await tx.flush();
        const lockedOrder = await tx.findOneOrFail(Order, { id: order.id });
        timeline(
          tx,
          lockedOrder,
          "dispute_message",
          actor.id,
          { disputeId, messageId: String(created.id), from: party },
          `api:dispute:${disputeId}:message:${created.id}`,
        );
        await tx.flush();
        await tellOthers(tx, notify, lockedOrder, actor.id, {
          kind: "dispute_message",
          data: { from: party, excerpt: body.slice(0, 200) },
        });
        return created;
      });
      return messageView(message, order, farmOwnerId);
    },

    async addEvidence(em, actor, disputeId, evidence) {
      const { order, farmOwnerId, party } = await writable(em, actor, disputeId);
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
          timeline(
            tx,
            orderRow,
            "dispute_evidence",
            actor.id,
            { disputeId, evidenceId: String(row.id), evidenceKind: evidence.kind, from: party },
            `api:dispute:${disputeId}:evidence:${row.id}`,
          );
          await tx.flush();
          const excerpt = evidence.kind === "text" ? `Evidence: ${evidence.text}` : "Evidence: a photo";
          await tellOthers(tx, notify, orderRow, actor.id, {
            kind: "dispute_message",
            data: { from: party, excerpt: excerpt.slice(0, 200) },
          });
          return row;
        });
        return evidenceView(created, order, farmOwnerId, actor.id);
      } catch (error) {
        // Nothing refers to the stored photo: remove it rather than keep an orphan.
        if (photoKey !== null) await deps.photoStore.delete(photoKey);
        throw error;
      }
    },

    async evidencePhoto(em, actor, disputeId, evidenceId) {
      await visible(em, actor, disputeId);
      const evidence = await em.findOne(DisputeEvidence, { id: Number(evidenceId), dispute: disputeId });
      if (evidence?.photoKey == null || evidence.photoRemovedAt != null) {
        throw new NotFoundError("No evidence photo has this id");
      }
      return { photoKey: evidence.photoKey, inPublicStore: evidence.photoInPublicStore };
    },

    queue,

    async rule(em, actor, disputeId, buyerShareMinor) {
      const { order, farmOwnerId } = await visible(em, actor, disputeId);
      if (sideOf(order, farmOwnerId, actor.id) !== null) {
        throw new ForbiddenError("An arbiter cannot rule on a dispute over their own order");
      }
      if (buyerShareMinor > order.totalMinor) {
        throw new ValidationError("The request is invalid", [
          { path: "body.buyerShareMinor", message: `at most the order total, ${order.totalMinor}` },
        ]);
      }
      const result = await notifications.transaction(em.fork(), async (tx, notify) => {
        const dispute = await tx.findOneOrFail(Dispute, { id: disputeId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        const locked = await tx.findOneOrFail(Order, { id: order.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (dispute.status !== "open") {
          // The same card ruling again (its answer was lost, Stripe did not answer): it carries out the one recorded.
          const repeated =
            locked.paymentMethod === "card" &&
            dispute.status === "ruled" &&
            dispute.buyerShareMinor === buyerShareMinor;
          if (!repeated) throw new DisputeClosedError(dispute.id, dispute.status);
          return { escrowCall: null, ...(await deps.cardRulings.record(tx, cardRulingOf(dispute, locked, actor.id))) };
        }
        const at = now();
        dispute.ruledBy = tx.getReference(User, actor.id);
        dispute.ruledAt = at;

        if (locked.paymentMethod === "escrow") {
          // The chain splits in basis points: the share is rounded down to one it can pay exactly.
          if (locked.status !== "disputed") throw new DisputeNotOnChainError(dispute.id);
          const buyerBps = Math.floor((buyerShareMinor * 10_000) / locked.totalMinor);
          const buyerMinor = Math.floor((locked.totalMinor * buyerBps) / 10_000);
          dispute.buyerShareMinor = buyerMinor;
          dispute.farmShareMinor = locked.totalMinor - buyerMinor;
          timeline(
            tx,
            locked,
            "dispute_ruling",
            actor.id,
            { disputeId, pending: true, buyerShareMinor: buyerMinor, farmShareMinor: dispute.farmShareMinor, buyerBps },
            `api:dispute:${disputeId}:ruling:${at.getTime()}`,
          );
          await tx.flush();
          return { escrowCall: escrowCall("rule", locked.escrowOrderId!, null, buyerBps), refundId: null };
        }
        const recorded = await ruleOnCardDispute(
          tx,
          notify,
          { rulings: deps.cardRulings, at },
          { dispute, order: locked, buyerShareMinor, actorId: actor.id },
        );
        return { escrowCall: null, ...recorded };
      });
      // After the commit: the ruling stands whatever Stripe answers; the outcome says where the refund is.
      const refund = order.paymentMethod === "card" ? await deps.cardRulings.carryOut(order.id, result.refundId) : null;
      return { dispute: await detail(em, disputeId, actor.id), escrowCall: result.escrowCall, refund };
    },
  };
}
