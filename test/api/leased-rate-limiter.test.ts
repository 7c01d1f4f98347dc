import { expect } from "chai";

import { createLeasedRateLimiter } from "../../api/src/stores/leased-rate-limiter.js";
import { createMemoryStore } from "../../api/src/stores/memory-store.js";
import type { RateLimitWindow, RateLimiter } from "../../api/src/stores/store.js";

/** The memory store's limiter, counting the calls that reach it and the hits it recorded. */
function countingLimiter(now: () => number) {
  const inner = createMemoryStore(now).rateLimiter;
  const counts = { calls: 0, recorded: 0 };
  const limiter: RateLimiter = {
    async hit(key, window, count) {
      counts.calls += 1;
      const decision = await inner.hit(key, window, count);
      if (decision.allowed) counts.recorded += decision.granted;
      return decision;
    },
  };
  return { limiter, counts };
}

describe("leased rate limiter", function () {
  let clock: number;
  const now = () => clock;
  const window: RateLimitWindow = { limit: 600, windowMs: 60_000 };

  beforeEach(function () {
    clock = 1_000_000;
  });

  it("counts a light client exactly: one hit recorded per request", async function () {
    const { limiter, counts } = countingLimiter(now);
    const leased = createLeasedRateLimiter(limiter, { now });
    for (let request = 0; request < 10; request++) {
      expect((await leased.hit("ip:a", window)).allowed).to.equal(true);
      clock += 2_000; // one request every two seconds outlives each lease
    }
    expect(counts).to.deep.equal({ calls: 10, recorded: 10 });
  });

  it("gives a busy client doubling leases, capped at a twentieth of the limit, never past the limit", async function () {
    const { limiter, counts } = countingLimiter(now);
    const leased = createLeasedRateLimiter(limiter, { now, maxLease: 1_000 });
    let allowed = 0;
    for (let request = 0; request < 700; request++) {
      if ((await leased.hit("ip:busy", window)).allowed) allowed += 1;
    }
    // Leases of 1, 2, 4, 8, 16 and then 30 (600 / 20): 600 hits took 24 calls instead of 600.
    expect(allowed).to.equal(600);
    expect(counts.recorded).to.equal(600);
    expect(counts.calls).to.be.below(30);
  });

  it("serves concurrent requests of one key from one refill at a time", async function () {
    const { limiter, counts } = countingLimiter(now);
    const leased = createLeasedRateLimiter(limiter, { now });
    await Promise.all(Array.from({ length: 3 }, () => leased.hit("ip:warm", window)));
    const decisions = await Promise.all(Array.from({ length: 200 }, () => leased.hit("ip:warm", window)));
    expect(decisions.every((decision) => decision.allowed)).to.equal(true);
    expect(counts.recorded - 203).to.be.within(0, 30); // at most one lease left over
    expect(counts.calls).to.be.below(20);
  });

  it("remembers a refusal until the window frees up, without asking again", async function () {
    const { limiter, counts } = countingLimiter(now);
    const leased = createLeasedRateLimiter(limiter, { now });
    const small = { limit: 3, windowMs: 10_000 };
    for (let request = 0; request < 3; request++) expect((await leased.hit("ip:s", small)).allowed).to.equal(true);
    const refused = await leased.hit("ip:s", small);
    expect(refused).to.deep.equal({ allowed: false, remaining: 0, retryAfterMs: 10_000 });
    const callsAfterRefusal = counts.calls;
    clock += 4_000;
    expect(await leased.hit("ip:s", small)).to.deep.equal({ allowed: false, remaining: 0, retryAfterMs: 6_000 });
    expect(counts.calls).to.equal(callsAfterRefusal);
    clock += 6_000;
    expect((await leased.hit("ip:s", small)).allowed).to.equal(true);
  });

  it("lets leased hits go unused when their lease expires, so a light client is never over-admitted", async function () {
    const { limiter, counts } = countingLimiter(now);
    const leased = createLeasedRateLimiter(limiter, { now, leaseMs: 1_000 });
    for (let request = 0; request < 7; request++) await leased.hit("ip:burst", window); // leases of 1, 2, 4
    clock += 1_500;
    await leased.hit("ip:burst", window);
    // The expired lease's unused hit stays counted; the next lease starts again from one hit.
    expect(counts.recorded).to.equal(8);
    expect(counts.calls).to.equal(4);
  });
});
