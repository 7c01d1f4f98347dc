import { ApiError } from "../errors.js";

/**
 * The escrow refund the farm may send for a payment that arrived after the order's stock was released is not
 * available: the order was never paid that way, or its escrow order is no longer funded. `details.reason` says which.
 */
export class EscrowRefundUnavailableError extends ApiError {
  readonly status = 409;
  readonly code = "escrow_refund_unavailable";

  constructor(orderId: string, reason: string) {
    super(`The escrow payment of this order cannot be refunded by the farm now: ${reason}`, { orderId, reason });
  }
}
