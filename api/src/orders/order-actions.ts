import type { Address, Hex } from "viem";

import { contractCallJson } from "../../../protocol/contract-call.js";
import { escrowCalls } from "../../../protocol/escrow/escrow-calls.js";
import type { OrderAction, OrderActionKind } from "../../../protocol/api/orders.js";
import type { Role } from "../../../protocol/vocabulary/roles.js";
import { STAFF_REFUNDABLE_STATUSES } from "../card-payments/staff-refundable-statuses.js";
import { whyNotDisputable } from "../disputes/dispute-eligibility.js";
import type { Order } from "../entities/Order.js";

/** Who looks at an order. */
export interface OrderViewer {
  id: string;
  roles: readonly Role[];
}

/** The linked escrow order as the indexer has it (see EscrowOnChain in order-view.ts). */
interface IndexedEscrowOrder {
  state: string;
  deadline: string;
  buyer: string;
  seller: string;
}

/** What deciding a viewer's actions needs besides the order. */
export interface OrderActionContext {
  viewer: OrderViewer;
  now: Date;
  /** The escrow the calls go to; undefined where none is configured (no escrow actions then). */
  escrow: { chainId: number; address: Hex } | undefined;
  /** How long after shipment or delivery a card order may be disputed. */
  disputeWindowMs: number;
  /** Whether the order has a dispute open already. */
  disputeOpen: boolean;
}

type EscrowFunction =
  "markShipped" | "confirmDelivery" | "refundAfterTimeout" | "completeAfterTimeout" | "declineOrder";

/**
 * What `context.viewer` may do with the order now: the same rules the API enforces when the action is asked for, and,
 * for an escrow order, the rules the escrow enforces (by the state and deadline of its escrow order as indexed), with
 * the exact call and the wallet that must send it. The web shows these and derives none of them.
 */
export function orderActionsFor(
  order: Order,
  onChain: IndexedEscrowOrder | null,
  context: OrderActionContext,
): OrderAction[] {
  const { viewer, now } = context;
  const isBuyer = order.buyer.id === viewer.id;
  const isFarm = order.farm.owner.id === viewer.id;
  const isStaff = viewer.roles.includes("admin") || viewer.roles.includes("arbiter");
  const actions: OrderAction[] = [];
  const viaApi = (kind: OrderActionKind) => actions.push({ kind, call: null });
  const viaWallet = (kind: OrderActionKind, functionName: EscrowFunction, from: string | null) => {
    if (context.escrow === undefined || order.escrowOrderId == null) return;
    const call = contractCallJson(escrowCalls[functionName](context.escrow.address, BigInt(order.escrowOrderId)));
    actions.push({
      kind,
      call: {
        chainId: context.escrow.chainId,
        to: call.to,
        data: call.data,
        value: call.value,
        from: from === null ? null : (from.toLowerCase() as Address),
        functionName: call.functionName,
        args: call.args,
      },
    });
  };

  if (order.status === "awaiting_payment" && isBuyer) {
    if (order.paymentMethod === "card") viaApi("pay");
    viaApi("cancel");
  }
  if (order.paymentMethod === "card") {
    if (order.status === "paid" && isFarm && (order.shipBy == null || now <= order.shipBy)) viaApi("ship");
    if (order.status === "shipped" && isBuyer) viaApi("confirmDelivery");
    if (isStaff && order.paidAt != null && STAFF_REFUNDABLE_STATUSES.includes(order.status)) viaApi("refund");
  } else if (onChain !== null) {
    const deadline = new Date(onChain.deadline);
    const late = now > deadline;
    const released = order.status === "cancelled" || order.status === "expired";
    if (onChain.state === "Funded") {
      if (isFarm && !late) viaWallet("ship", "markShipped", onChain.seller);
      if (isBuyer && late) viaWallet("refundAfterTimeout", "refundAfterTimeout", null);
      if (isFarm && released) viaWallet("declinePayment", "declineOrder", onChain.seller);
    }
    if (onChain.state === "Shipped") {
      if (isBuyer) viaWallet("confirmDelivery", "confirmDelivery", onChain.buyer);
      if (isFarm && late) viaWallet("completeAfterTimeout", "completeAfterTimeout", null);
    }
  }
  if ((isBuyer || isFarm) && !context.disputeOpen) {
    const refusal = whyNotDisputable(order, {
      now,
      windowMs: context.disputeWindowMs,
      onChain: onChain === null ? undefined : { deadline: new Date(onChain.deadline), state: onChain.state },
    });
    // An escrow order not yet linked cannot be disputed on-chain; one whose escrow order is not indexed waits for it.
    if (refusal === undefined && (order.paymentMethod === "card" || onChain !== null)) viaApi("openDispute");
  }
  return actions;
}
