import { ApiError } from "../errors.js";

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
