import type { EntityManager } from "@mikro-orm/postgresql";

import { Dispute } from "../entities/Dispute.js";
import { DisputeEvidence } from "../entities/DisputeEvidence.js";
import { DisputeMessage } from "../entities/DisputeMessage.js";
import { Order } from "../entities/Order.js";
import type { DisputeEvidenceKind, DisputeStatus, OrderStatus, PaymentMethod } from "../order-vocabulary.js";
import { disputePartyOf, disputeSideOf } from "./dispute-party.js";
import type { DisputeParty } from "./dispute-party.js";
import type { EvidencePhotoLinks, EvidencePhotoUrls } from "./evidence-photo-links.js";
import { defaultCardBuyerShare } from "./rule-on-card-dispute.js";

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

/** What the views need beyond the rows: the default split of a shipped order, and how evidence photos are linked. */
export interface DisputeViewSettings {
  /** The buyer's share, in basis points, of the escrow's default ruling over an order that had shipped. */
  defaultShippedBuyerBps: number;
  photoLinks: EvidencePhotoLinks;
}

export function disputeSummaryOf(
  dispute: Dispute,
  order: Order,
  farmOwnerId: string,
  settings: Pick<DisputeViewSettings, "defaultShippedBuyerBps">,
): DisputeSummary {
  const hasRuling = dispute.buyerShareMinor != null && dispute.farmShareMinor != null;
  return {
    id: dispute.id,
    status: dispute.status,
    reason: dispute.reason,
    openedBy: { id: dispute.openedBy.id, party: disputeSideOf(order, farmOwnerId, dispute.openedBy.id) },
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
            buyerShareMinor: defaultCardBuyerShare(dispute, order, settings.defaultShippedBuyerBps),
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

export function disputeMessageView(message: DisputeMessage, order: Order, farmOwnerId: string): DisputeMessageView {
  const authorId = message.author?.id ?? null;
  return {
    id: String(message.id),
    authorId,
    from: disputePartyOf(order, farmOwnerId, authorId),
    body: message.body,
    createdAt: message.createdAt.toISOString(),
  };
}

export function disputeEvidenceView(
  evidence: DisputeEvidence,
  order: Order,
  farmOwnerId: string,
  viewerId: string,
  photoLinks: EvidencePhotoLinks,
): DisputeEvidenceView {
  const uploaderId = evidence.uploader?.id ?? null;
  const shown = evidence.photoKey != null && evidence.photoRemovedAt == null;
  return {
    id: String(evidence.id),
    uploaderId,
    from: disputePartyOf(order, farmOwnerId, uploaderId),
    kind: evidence.kind,
    text: evidence.text ?? null,
    photo: shown
      ? photoLinks.urls({ disputeId: evidence.dispute.id, evidenceId: String(evidence.id) }, viewerId)
      : null,
    photoRemovedAt: evidence.photoRemovedAt?.toISOString() ?? null,
    createdAt: evidence.createdAt.toISOString(),
  };
}

/** The dispute as `viewerId` sees it: evidence photos come as links signed for them. */
export async function loadDisputeDetail(
  em: EntityManager,
  disputeId: string,
  viewerId: string,
  settings: DisputeViewSettings,
): Promise<DisputeDetail> {
  const read = em.fork();
  const dispute = await read.findOneOrFail(Dispute, { id: disputeId });
  const order = await read.findOneOrFail(Order, { id: dispute.order.id }, { populate: ["farm"] });
  const farmOwnerId = order.farm.owner.id;
  const messages = await read.find(DisputeMessage, { dispute: disputeId }, { orderBy: { id: "asc" } });
  const evidence = await read.find(DisputeEvidence, { dispute: disputeId }, { orderBy: { id: "asc" } });
  return {
    ...disputeSummaryOf(dispute, order, farmOwnerId, settings),
    messages: messages.map((message) => disputeMessageView(message, order, farmOwnerId)),
    evidence: evidence.map((item) => disputeEvidenceView(item, order, farmOwnerId, viewerId, settings.photoLinks)),
  };
}
