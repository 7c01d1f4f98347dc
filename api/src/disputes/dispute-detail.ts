import type { EntityManager } from "@mikro-orm/postgresql";
import type { z } from "zod";

import type { disputeDetail, disputeSummary } from "../../../protocol/api/disputes.js";

import { Dispute } from "../entities/Dispute.js";
import { DisputeEvidence } from "../entities/DisputeEvidence.js";
import { DisputeMessage } from "../entities/DisputeMessage.js";
import { Order } from "../entities/Order.js";
import { disputePartyOf, disputeSideOf } from "./dispute-party.js";
import type { EvidencePhotoLinks } from "./evidence-photo-links.js";
import { defaultCardBuyerShare } from "./rule-on-card-dispute.js";

export type DisputeSummary = z.input<typeof disputeSummary>;
export type DisputeDetail = z.input<typeof disputeDetail>;
export type DisputeMessageView = DisputeDetail["messages"][number];
export type DisputeEvidenceView = DisputeDetail["evidence"][number];
export type DisputeOrderView = DisputeSummary["order"];

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
