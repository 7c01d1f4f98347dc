import type { OrderStatus } from "../../../protocol/vocabulary/order-vocabulary.js";
import type { Order } from "../entities/Order.js";

/** Orders whose card payment may be disputed: any time before shipping, then within the window after it. */
export const CARD_DISPUTABLE_STATUSES: readonly OrderStatus[] = ["paid", "shipped", "delivered"];

/**
 * Escrow states `openDispute` accepts (Funded, Shipped), as order statuses; cancelled and expired orders too, when
 * a payment that came after their stock was released is linked to them (still funded: the farm may ship it).
 */
const ESCROW_DISPUTABLE_STATUSES: readonly OrderStatus[] = ["paid", "shipped", "cancelled", "expired"];

/**
 * Why the order cannot be disputed now, in words for the refusal; undefined when it can. A card order any time before
 * it ships, then within `windowMs` of shipment or, once delivered, of delivery; an escrow order while its escrow
 * order takes `openDispute` (before the deadline of its Funded or Shipped state, as indexed in `onChain`; unknown
 * while not indexed, when the escrow itself will judge). An open dispute is the caller's to check.
 */
export function whyNotDisputable(
  order: Pick<Order, "paymentMethod" | "status" | "shippedAt" | "deliveredAt" | "escrowOrderId">,
  context: { now: Date; windowMs: number; onChain: { deadline: Date; state?: string } | undefined },
): string | undefined {
  if (order.paymentMethod === "card") {
    if (!CARD_DISPUTABLE_STATUSES.includes(order.status)) return `it is ${order.status}`;
    const windowFrom = order.deliveredAt ?? order.shippedAt;
    if (
      order.status !== "paid" &&
      windowFrom != null &&
      context.now.getTime() - windowFrom.getTime() > context.windowMs
    ) {
      return `the dispute window after ${order.deliveredAt == null ? "shipment" : "delivery"} has passed`;
    }
    return undefined;
  }
  if (!ESCROW_DISPUTABLE_STATUSES.includes(order.status) || order.escrowOrderId == null) return `it is ${order.status}`;
  const { onChain } = context;
  if (onChain?.state !== undefined && onChain.state !== "Funded" && onChain.state !== "Shipped") {
    return `its escrow order is ${onChain.state}`;
  }
  if (onChain !== undefined && onChain.deadline.getTime() <= context.now.getTime()) {
    return "the escrow's window for disputes has passed";
  }
  return undefined;
}
