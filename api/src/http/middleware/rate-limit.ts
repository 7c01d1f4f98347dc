import type { ApiMetrics } from "../../api-metrics.js";
import { RateLimitedError } from "../../errors.js";
import { createLeasedRateLimiter } from "../../stores/leased-rate-limiter.js";
import type { RateLimitWindow, RateLimiter } from "../../stores/store.js";
import type { ApiContext } from "../api-context.js";

/** `auth` guards sign-in and token endpoints; `default` is generous and applies to everything else. */
export type RateLimitPolicyName = "auth" | "default";

export type RateLimitPolicies = Record<RateLimitPolicyName, RateLimitWindow>;

export const DEFAULT_RATE_LIMIT_POLICIES: RateLimitPolicies = {
  auth: { limit: 100, windowMs: 15 * 60_000 },
  default: { limit: 600, windowMs: 60_000 },
};

/** Policies whose busy clients take hits in leases (see createLeasedRateLimiter); sign-in stays exact. */
const LEASED_POLICIES: Record<RateLimitPolicyName, boolean> = { auth: false, default: true };

/**
 * Counts a request against a policy, once per client IP and once per account when signed in, and throws
 * RateLimitedError when either is over. The IP is Koa's `ctx.ip`, which honours X-Forwarded-For only when the
 * app trusts its proxy (TRUST_PROXY).
 */
export function createRateLimit(options: { limiter: RateLimiter; policies: RateLimitPolicies; metrics: ApiMetrics }) {
  const leased = createLeasedRateLimiter(options.limiter);
  return async function enforceRateLimit(ctx: ApiContext, policyName: RateLimitPolicyName): Promise<void> {
    const policy = options.policies[policyName];
    const limiter = LEASED_POLICIES[policyName] ? leased : options.limiter;
    const scopes: ["ip" | "account", string][] = [["ip", ctx.ip]];
    if (ctx.state.user !== undefined) scopes.push(["account", ctx.state.user.id]);
    for (const [scope, subject] of scopes) {
      const decision = await limiter.hit(`${policyName}:${scope}:${subject}`, policy);
      if (!decision.allowed) {
        options.metrics.rateLimitRejections.inc({ policy: policyName, scope });
        throw new RateLimitedError(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)), policyName);
      }
    }
  };
}

export type EnforceRateLimit = ReturnType<typeof createRateLimit>;
