import type { RateLimitDecision, RateLimitWindow, RateLimiter } from "./store.js";

/** What this process holds for one key: hits it recorded in the shared limiter and may still hand out. */
interface Lease {
  /** Hits recorded for this process and not handed out yet. */
  left: number;
  /** Hits the last lease asked for: doubles while the key keeps using its leases up. */
  size: number;
  /** Until when the hits may be handed out (they were timestamped when leased). */
  expiresAt: number;
  /** What the shared limiter had left when this lease was taken. */
  remaining: number;
  /** Set when the shared limiter refused: hits are refused here until then without asking it again. */
  refusedUntil?: number;
}

/** The share of a window's limit one lease may hold, so a lease never spends much of a client's budget at once. */
const LEASE_SHARE_OF_LIMIT = 1 / 20;
/** Keys beyond which expired leases are swept out (one per client IP or account, so it must stay bounded). */
const SWEEP_ABOVE_KEYS = 10_000;

/**
 * A limiter in front of the shared one that saves a round trip per request for busy keys: when a key used its last
 * lease up before it expired, the next call records twice as many hits in the shared limiter at once (up to
 * `maxLease`, and at most a twentieth of the limit) and hands them out from memory. A key that does not use its lease
 * up starts again from single hits, so a light client is counted exactly.
 *
 * The price, for busy keys only: leased hits are timestamped when leased, up to `leaseMs` before they are used, and
 * leased hits still unused when the lease expires stay counted. So a client may get at most one lease (a twentieth
 * of the limit) more per window per replica, or somewhat fewer than the limit. Only for generous policies: strict
 * ones (sign-in) must use the shared limiter directly.
 */
export function createLeasedRateLimiter(
  shared: RateLimiter,
  { maxLease = 32, leaseMs = 1_000, now = Date.now }: { maxLease?: number; leaseMs?: number; now?: () => number } = {},
): RateLimiter {
  const leases = new Map<string, Lease>();
  const refilling = new Map<string, Promise<void>>();

  const sweep = () => {
    if (leases.size <= SWEEP_ABOVE_KEYS) return;
    const at = now();
    for (const [key, lease] of leases) {
      if (lease.expiresAt <= at && (lease.refusedUntil ?? 0) <= at) leases.delete(key);
    }
  };

  const refill = async (key: string, window: RateLimitWindow) => {
    const previous = leases.get(key);
    const usedUp = previous !== undefined && previous.left === 0 && now() < previous.expiresAt;
    const cap = Math.max(1, Math.min(maxLease, Math.floor(window.limit * LEASE_SHARE_OF_LIMIT)));
    const size = usedUp ? Math.min(previous.size * 2, cap) : 1;
    const decision = await shared.hit(key, window, size);
    const at = now();
    leases.set(
      key,
      decision.allowed
        ? { left: decision.granted, size, expiresAt: at + leaseMs, remaining: decision.remaining }
        : { left: 0, size: 1, expiresAt: at, remaining: 0, refusedUntil: at + decision.retryAfterMs },
    );
    sweep();
  };

  return {
    async hit(key, window, count = 1): Promise<RateLimitDecision> {
      if (count !== 1) return shared.hit(key, window, count);
      for (;;) {
        const lease = leases.get(key);
        const at = now();
        if (lease?.refusedUntil !== undefined && at < lease.refusedUntil) {
          return { allowed: false, remaining: 0, retryAfterMs: lease.refusedUntil - at };
        }
        if (lease !== undefined && lease.left > 0 && at < lease.expiresAt) {
          lease.left -= 1;
          return { allowed: true, remaining: lease.remaining + lease.left, granted: 1 };
        }
        // One refill per key at a time; concurrent callers wait for it and then take from it.
        let pending = refilling.get(key);
        if (pending === undefined) {
          pending = refill(key, window).finally(() => refilling.delete(key));
          refilling.set(key, pending);
        }
        await pending;
      }
    },
  };
}
