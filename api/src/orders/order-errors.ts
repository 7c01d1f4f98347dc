import { ApiError } from "../errors.js";

/** A checkout of an empty cart (or one whose lines were all removed). */
export class EmptyCartError extends ApiError {
  readonly status = 422;
  readonly code = "cart_empty";

  constructor() {
    super("The cart is empty: there is nothing to check out");
  }
}

/** The Idempotency-Key was used before by this buyer with a different request. */
export class IdempotencyKeyReusedError extends ApiError {
  readonly status = 422;
  readonly code = "idempotency_key_reused";

  constructor(checkoutId: string) {
    super("This Idempotency-Key was already used with a different request; use a new key for a new checkout", {
      checkoutId,
    });
  }
}

/**
 * The payment method cannot be used on this API as configured; the message says why. `checkoutId` names the earlier
 * checkout a repeated Idempotency-Key belongs to, whose method was switched off since.
 */
export class PaymentMethodUnavailableError extends ApiError {
  readonly status = 422;
  readonly code = "payment_method_unavailable";

  constructor(paymentMethod: string, reason: string, checkoutId?: string) {
    super(
      `Paying by ${paymentMethod} is not available: ${reason}`,
      checkoutId === undefined ? { paymentMethod } : { paymentMethod, checkoutId },
    );
  }
}

/** One cart line the stock cannot cover at checkout. */
export interface StockShortage {
  productId: string;
  name: string;
  requested: number;
  available: number;
}

/** Some lines lack stock; nothing was reserved. `details.lines` names each line short and what is left. */
export class CheckoutStockError extends ApiError {
  readonly status = 409;
  readonly code = "insufficient_stock";

  constructor(readonly lines: StockShortage[]) {
    super(`Not enough stock for ${lines.length === 1 ? "one line" : `${lines.length} lines`}; nothing was reserved`, {
      lines,
    });
  }
}

/** The buyer already holds as many checkouts awaiting payment as one account may; nothing was reserved. */
export class TooManyOpenCheckoutsError extends ApiError {
  readonly status = 409;
  readonly code = "too_many_open_checkouts";

  constructor(limit: number, openCheckoutIds: string[]) {
    super(
      `You already have ${limit === 1 ? "a checkout" : `${limit} checkouts`} awaiting payment, as many as one ` +
        "account may hold; pay or cancel those orders (or let them expire), then check out again. Nothing was reserved",
      { limit, openCheckoutIds },
    );
  }
}

/** One cart line that would take the buyer's unpaid units of a product past the share one account may hold. */
export interface StockShareExcess {
  productId: string;
  name: string;
  requested: number;
  /** Units of it the buyer already holds in orders awaiting payment. */
  held: number;
  /** The most the buyer may hold unpaid, `held` included. */
  allowed: number;
}

/**
 * Some lines would have the buyer hold more of a product unpaid than one account may (a share of its units), so one
 * account cannot tie up a farm's stock; nothing was reserved. `details.lines` names each line and what is allowed.
 */
export class StockShareExceededError extends ApiError {
  readonly status = 409;
  readonly code = "stock_share_exceeded";

  constructor(maxSharePercent: number, lines: StockShareExcess[]) {
    super(
      `One account may hold at most ${maxSharePercent}% of a product's units unpaid (at least one); lower the ` +
        "quantity, or pay for or cancel your open orders of it, then check out again. Nothing was reserved",
      { maxSharePercent, lines },
    );
  }
}

/** An escrow order pays the farm's payout wallet, and this farm has none yet. */
export class FarmPayoutWalletMissingError extends ApiError {
  readonly status = 409;
  readonly code = "farm_payout_wallet_missing";

  constructor(farmId: string, farmName: string) {
    super(`${farmName} cannot be paid by escrow yet: it has no payout wallet; pay by card instead`, { farmId });
  }
}

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

/** Stripe closed the order's payment page (it expired, or the checkout was paid or given up): check out again. */
export class PaymentPageClosedError extends ApiError {
  readonly status = 409;
  readonly code = "payment_page_closed";

  constructor(orderId: string) {
    super("The card payment page for this order is closed; put the items in the cart and check out again", {
      orderId,
    });
  }
}

/** A refund asks for more than is left of what the buyer paid. */
export class RefundExceedsRemainingError extends ApiError {
  readonly status = 409;
  readonly code = "refund_exceeds_remaining";

  constructor(orderId: string, requestedMinor: number, remainingMinor: number) {
    super(`Only ${remainingMinor} (minor units) of this order can still be refunded`, {
      orderId,
      requestedMinor,
      remainingMinor,
    });
  }
}

/** Stripe refused or failed a request the API made on the user's behalf; nothing was recorded. */
export class StripeRequestError extends ApiError {
  readonly status = 502;
  readonly code = "stripe_error";

  constructor(message: string, stripeCode: string | undefined) {
    super(`Stripe refused the request: ${message}`, { stripeCode: stripeCode ?? null });
  }
}

/** The Idempotency-Key of a refund request was used before for another order or amount. */
export class RefundKeyReusedError extends ApiError {
  readonly status = 422;
  readonly code = "idempotency_key_reused";

  constructor(refundId: string) {
    super("This Idempotency-Key was already used for another refund; use a new key for a new refund", { refundId });
  }
}

/**
 * The refund is recorded and Stripe was asked, but its answer did not come: it will be completed (the job asks again
 * under the same idempotency key, so it is issued once), and repeating the request is safe.
 */
export class RefundPendingError extends ApiError {
  readonly status = 503;
  readonly code = "refund_pending";

  constructor(refundId: string) {
    super(
      "The refund is recorded but Stripe did not answer; it will be completed shortly, and repeating this request " +
        "with the same Idempotency-Key is safe",
      { refundId },
    );
  }
}

/** A card order must be shipped by its deadline; after it, the order is refunded instead. */
export class ShipDeadlinePassedError extends ApiError {
  readonly status = 409;
  readonly code = "ship_deadline_passed";

  constructor(orderId: string, shipBy: Date) {
    super(`This order had to be shipped by ${shipBy.toISOString()}; it is refunded to the buyer instead`, {
      orderId,
      shipBy: shipBy.toISOString(),
    });
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

/** Payment transactions are reported only for checkouts paid into the escrow (stablecoin or ETH). */
export class NotAnEscrowCheckoutError extends ApiError {
  readonly status = 409;
  readonly code = "not_an_escrow_checkout";

  constructor(checkoutId: string, paymentMethod: string) {
    super(`This checkout is paid by ${paymentMethod}, not from a wallet into the escrow`, {
      checkoutId,
      paymentMethod,
    });
  }
}

/** A checkout holds a bounded number of reported transactions, so reports cannot hold its stock indefinitely. */
export class TooManyPaymentTransactionsError extends ApiError {
  readonly status = 409;
  readonly code = "too_many_payment_transactions";

  constructor(checkoutId: string, limit: number) {
    super(`At most ${limit} payment transactions can be reported for one checkout`, { checkoutId, limit });
  }
}

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
