import { z } from "zod";

import { BPS } from "../escrow/basis-points.js";
import {
  DISPUTE_EVIDENCE_KINDS,
  DISPUTE_PARTIES,
  DISPUTE_STATUSES,
  ORDER_STATUSES,
  PAYMENT_METHODS,
  REFUND_STATUSES,
} from "../vocabulary/order-vocabulary.js";
import { hexData as hex } from "./hex-strings.js";

const minor = z.number().int().nonnegative();
const party = z.enum(DISPUTE_PARTIES);

export const disputeParams = z.object({ id: z.uuid() });

export const openDisputeBody = z.strictObject({
  reason: z.string().trim().min(1).max(500).describe("Why, in a line: shown in the arbiter's queue and notifications"),
  text: z.string().trim().min(1).max(5_000).optional().describe("A first written statement, kept as evidence"),
});

export const disputeMessageBody = z.strictObject({ body: z.string().trim().min(1).max(5_000) });

export const textEvidenceBody = z.strictObject({ text: z.string().trim().min(1).max(5_000) });

export const rulingBody = z.strictObject({
  buyerShareMinor: minor.describe(
    "What goes back to the buyer, in minor units of the order's currency; the farm gets the rest",
  ),
});

export const queueQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });

export const escrowCall = z
  .object({
    chainId: z.number().int(),
    to: hex,
    data: hex,
    value: z.literal("0"),
    from: hex.nullable().describe("The wallet that must send it, when known (the arbiter's is not)"),
    functionName: z.enum(["openDispute", "rule"]),
    args: z.object({ orderId: z.string(), buyerBps: z.number().int().min(0).max(BPS).optional() }),
  })
  .describe("The escrow transaction to send from a wallet: the escrow changes only on-chain");

export const disputeSummary = z.object({
  id: z.uuid(),
  status: z.enum(DISPUTE_STATUSES),
  reason: z.string(),
  openedBy: z.object({ id: z.uuid(), party: party.nullable() }),
  openedAt: z.iso.datetime(),
  resolvedAt: z.iso.datetime().nullable(),
  ruling: z
    .object({
      buyerShareMinor: minor,
      farmShareMinor: minor,
      ruledBy: z.uuid().nullable(),
      ruledAt: z.iso.datetime().nullable(),
      pending: z.boolean().describe("An escrow ruling whose transaction the indexer has not reported yet"),
      chainTxHash: z.string().nullable(),
    })
    .nullable(),
  timeout: z
    .object({
      deadline: z.iso.datetime(),
      buyerShareMinor: minor.describe("What the buyer then gets back: everything before shipping, half after"),
    })
    .nullable()
    .describe(
      "An open card dispute without a ruling by `deadline` (the DAO's arbitration timeout) gets the escrow's " +
        "default outcome; null for escrow disputes (their deadline is on-chain) and closed ones",
    ),
  order: z.object({
    id: z.uuid(),
    status: z.enum(ORDER_STATUSES),
    paymentMethod: z.enum(PAYMENT_METHODS),
    totalMinor: minor,
    currency: z.string(),
    buyerId: z.uuid(),
    farm: z.object({ id: z.uuid(), name: z.string() }),
  }),
});

export const disputeMessage = z.object({
  id: z.string(),
  authorId: z.uuid().nullable(),
  from: party.nullable(),
  body: z.string(),
  createdAt: z.iso.datetime(),
});

export const disputeEvidence = z.object({
  id: z.string(),
  uploaderId: z.uuid().nullable(),
  from: party.nullable(),
  kind: z.enum(DISPUTE_EVIDENCE_KINDS),
  text: z.string().nullable(),
  photo: z
    .object({ thumbnailUrl: z.string(), displayUrl: z.string(), expiresAt: z.iso.datetime() })
    .nullable()
    .describe(
      "Links to the photo signed for the caller alone, valid until expiresAt (read the dispute again for new ones); " +
        "null for a statement or a removed photo",
    ),
  photoRemovedAt: z.iso
    .datetime()
    .nullable()
    .describe(
      "When the photo was deleted: DISPUTE_EVIDENCE_RETENTION_DAYS after the dispute closed, or with its uploader's account",
    ),
  createdAt: z.iso.datetime(),
});

export const disputeDetail = disputeSummary.extend({
  messages: z.array(disputeMessage),
  evidence: z.array(disputeEvidence),
});

export const openedDispute = z.object({ dispute: disputeDetail, escrowCall: escrowCall.nullable() });

export const ruledDispute = z.object({
  dispute: disputeDetail,
  escrowCall: escrowCall.nullable().describe("For an escrow order: the arbiter's wallet sends it"),
  refund: z
    .object({
      refundId: z.uuid(),
      stripeRefundId: z.string().nullable(),
      status: z.enum(REFUND_STATUSES),
    })
    .nullable()
    .describe(
      "A card ruling's refund: `requested` while Stripe's answer is awaited (it is issued later, once; repeating the " +
        "ruling is safe), `rejected` when Stripe refused it (staff are flagged to refund again)",
    ),
});

export const disputeQueue = z.object({ disputes: z.array(disputeSummary) });

export const orderDisputes = z.object({ disputes: z.array(disputeSummary) });

export type DisputeSummary = z.infer<typeof disputeSummary>;
export type DisputeMessage = z.infer<typeof disputeMessage>;
export type DisputeEvidence = z.infer<typeof disputeEvidence>;
export type DisputeDetail = z.infer<typeof disputeDetail>;
export type EscrowCallView = z.infer<typeof escrowCall>;
export type OpenedDispute = z.infer<typeof openedDispute>;
export type RuledDispute = z.infer<typeof ruledDispute>;
export type DisputeList = z.infer<typeof disputeQueue>;
