import { ApiError } from "../errors.js";

/** The order is past the point where the buyer may cancel it (it was paid, or already ended). */
export class OrderNotCancellableError extends ApiError {
  readonly status = 409;
  readonly code = "order_not_cancellable";

  constructor(orderId: string, status: string) {
    super(`Only an order awaiting payment can be cancelled; this one is ${status}`, { orderId, status });
  }
}

/** Escrow orders are shipped, confirmed and refunded on-chain; the API only reflects what the indexer saw. */
export class OrderFollowsChainError extends ApiError {
  readonly status = 409;
  readonly code = "order_follows_chain";

  constructor(orderId: string, action: string) {
    super(`This order is paid into the escrow: ${action} happens on-chain from the wallet, not through the API`, {
      orderId,
    });
  }
}

/** The order is not in a state that allows this step (shipping an unpaid order, confirming an unshipped one). */
export class OrderStateError extends ApiError {
  readonly status = 409;
  readonly code = "order_state_conflict";

  constructor(orderId: string, status: string, expected: readonly string[]) {
    super(`This order is ${status}; it must be ${expected.join(" or ")}`, { orderId, status, expected });
  }
}

/**
 * A payment for the order is on its way (a transaction the wallet reported, not yet mined or indexed, or an escrow
 * order indexed from the buyer's wallet and not yet judged): ending the order now would release its stock under it.
 */
export class PaymentPendingError extends ApiError {
  readonly status = 409;
  readonly code = "payment_pending";

  constructor(orderId: string, payment: Record<string, unknown>) {
    super(
      "A payment for this order is on its way; it cannot be cancelled until the payment is recorded or has failed",
      { orderId, payment },
    );
  }
}
