import { ApiError } from "../errors.js";

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
