import type { ApiMetrics } from "../api-metrics.js";
import { RateLimitedError } from "../errors.js";
import type { RateLimitWindow, RateLimiter } from "../stores/store.js";

/**
 * Counts a sign-in attempt against the account it names (an email or a wallet address) under the `auth` policy, on
 * top of the per-IP count every auth route gets, so one account cannot be guessed at from many addresses. Keyed by
 * what the client sent, whether or not such an account exists, so the limit itself reveals nothing.
 */
export function createAccountRateLimit({
  limiter,
  policy,
  metrics,
}: {
  limiter: RateLimiter;
  policy: RateLimitWindow;
  metrics: ApiMetrics;
}) {
  return async function limitAccount(subject: string): Promise<void> {
    const decision = await limiter.hit(`auth:account:${subject}`, policy);
    if (!decision.allowed) {
      metrics.rateLimitRejections.inc({ policy: "auth", scope: "account" });
      throw new RateLimitedError(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)), "auth");
    }
  };
}

export type LimitAccount = ReturnType<typeof createAccountRateLimit>;
