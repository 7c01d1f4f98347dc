/**
 * Whether the order's escrow payment came after the order ended (cancelled or expired, its stock released) and the
 * escrow still holds it: the farm refunds it or ships, and the buyer may dispute it or reclaim it after the ship
 * deadline. The API links such a payment to the order and reports the escrow order's state.
 */
export function paidAfterRelease(order: {
  status: string;
  escrow: { orderId: string | null; onChain: { state: string } | null } | null;
}): boolean {
  return (
    (order.status === "cancelled" || order.status === "expired") &&
    order.escrow?.orderId != null &&
    order.escrow.onChain?.state === "Funded"
  );
}
