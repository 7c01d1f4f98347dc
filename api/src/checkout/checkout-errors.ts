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

/** Why a price-feed round cannot price a payment. */
export type PriceFeedProblem = "stale" | "incomplete_round" | "non_positive_answer";

/**
 * The ETH price feed's latest round cannot be used to quote a payment: it is older than the configured maximum age,
 * it never completed, or its answer is not a positive price. 503: ETH checkout works again once the feed updates.
 */
export class PriceFeedUnusableError extends ApiError {
  readonly status = 503;
  readonly code = "price_feed_unusable";

  constructor(
    readonly problem: PriceFeedProblem,
    message: string,
    details: { feed: string; roundId: string } & Record<string, unknown>,
  ) {
    super(`ETH cannot be priced now: ${message}; pay in the stablecoin or by card, or retry later`, {
      problem,
      ...details,
    });
  }
}
