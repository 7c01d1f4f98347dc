import type { OrderFlag, OrderStatus, PaymentMethod, PhotoUrls } from "./types";

export type DisputeStatus = "open" | "ruled" | "settled";

/** How someone takes part in a dispute: one of the order's two sides, or an arbiter. */
export type DisputeParty = "buyer" | "farmer" | "arbiter";

export interface DisputeSummary {
  id: string;
  status: DisputeStatus;
  reason: string;
  openedBy: { id: string; party: DisputeParty | null };
  openedAt: string;
  resolvedAt: string | null;
  ruling: {
    buyerShareMinor: number;
    farmShareMinor: number;
    ruledBy: string | null;
    ruledAt: string | null;
    /** An escrow ruling whose transaction the indexer has not reported yet. */
    pending: boolean;
    chainTxHash: string | null;
  } | null;
  /**
   * An open card dispute: without a ruling by `deadline`, the escrow's default outcome gives the buyer
   * `buyerShareMinor` back (everything before shipping, half after). Null for escrow and closed disputes.
   */
  timeout: { deadline: string; buyerShareMinor: number } | null;
  order: {
    id: string;
    status: OrderStatus;
    paymentMethod: PaymentMethod;
    totalMinor: number;
    currency: string;
    buyerId: string;
    farm: { id: string; name: string };
  };
}

export interface DisputeMessage {
  id: string;
  authorId: string | null;
  from: DisputeParty | null;
  body: string;
  createdAt: string;
}

export interface DisputeEvidence {
  id: string;
  uploaderId: string | null;
  from: DisputeParty | null;
  kind: "text" | "photo";
  text: string | null;
  /** Links signed for the signed-in viewer alone, valid until `expiresAt`; null for a statement or a removed photo. */
  photo: (PhotoUrls & { expiresAt: string }) | null;
  /** When the photo was deleted (the dispute's retention ended, or its uploader deleted the account). */
  photoRemovedAt: string | null;
  createdAt: string;
}

export interface DisputeDetail extends DisputeSummary {
  messages: DisputeMessage[];
  evidence: DisputeEvidence[];
}

/** An escrow transaction the API encoded for a wallet to send: the escrow changes only on-chain. */
export interface EscrowCall {
  chainId: number;
  to: `0x${string}`;
  data: `0x${string}`;
  value: "0";
  from: `0x${string}` | null;
  functionName: "openDispute" | "rule";
  args: { orderId: string; buyerBps?: number };
}

export interface OpenedDispute {
  dispute: DisputeDetail;
  escrowCall: EscrowCall | null;
}

export interface RuledDispute {
  dispute: DisputeDetail;
  escrowCall: EscrowCall | null;
  refund: { refundId: string; stripeRefundId: string | null; status: string } | null;
}

export interface AdminOverview {
  flaggedOrders: {
    count: number;
    unknownRefCount: number;
    latest: { orderId: string | null; kind: OrderFlag["kind"]; createdAt: string }[];
  };
  openDisputes: { count: number; oldest: DisputeSummary[] };
  reconciliationRuns: { id: string; windowFrom: string; windowTo: string; finishedAt: string; differences: number }[];
}
