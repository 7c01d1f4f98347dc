import { randomBytes } from "node:crypto";

import { expect } from "chai";
import { Redis } from "ioredis";

import { createMemoryStore } from "../../api/src/stores/memory-store.js";
import { createRedisStore } from "../../api/src/stores/redis-store.js";
import type { Store } from "../../api/src/stores/store.js";

describe("API stores", function () {
  const prefix = `agridao-test:${randomBytes(6).toString("hex")}:`;
  let redis: Redis;

  const implementations: [string, () => Store][] = [
    ["redis", () => createRedisStore({ redis, prefix })],
    ["memory", () => createMemoryStore()],
  ];

  before(function () {
    redis = new Redis("redis://127.0.0.1:6379");
  });

  after(async function () {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  for (const [name, create] of implementations) {
    describe(`API ${name} store`, function () {
      let store: Store;

      beforeEach(function () {
        store = create();
      });

      afterEach(async function () {
        await store.close();
      });

      it("hands a value to exactly one of many concurrent takes", async function () {
        await store.keyValue.set("nonce:1", "abc", 60_000);
        const taken = await Promise.all(Array.from({ length: 10 }, () => store.keyValue.take("nonce:1")));
        expect(taken.filter((value) => value === "abc")).to.have.length(1);
        expect(await store.keyValue.get("nonce:1")).to.equal(undefined);
      });

      it("forgets a value once its TTL has passed", async function () {
        await store.keyValue.set("short", "v", 20);
        await new Promise((resolve) => setTimeout(resolve, 60));
        expect(await store.keyValue.take("short")).to.equal(undefined);
      });

      it("drops cache entries by tag and by key prefix, leaving the rest", async function () {
        await store.cache.set("product:1", { name: "rice" }, { ttlMs: 60_000, tags: ["product:1"] });
        await store.cache.set("product:2", { name: "jute" }, { ttlMs: 60_000, tags: ["product:2"] });
        await store.cache.set("list:page:1", [1, 2], { ttlMs: 60_000 });
        await store.cache.set("list:page:2", [3], { ttlMs: 60_000 });
        await store.cache.invalidateTag("product:1");
        await store.cache.invalidatePrefix("list:");
        expect(await store.cache.get("product:1")).to.equal(undefined);
        expect(await store.cache.get("product:2")).to.deep.equal({ name: "jute" });
        expect(await store.cache.get("list:page:1")).to.equal(undefined);
        expect(await store.cache.get("list:page:2")).to.equal(undefined);
      });

      it("refuses hits over the limit within the window, with the time until one frees up", async function () {
        const window = { limit: 2, windowMs: 60_000 };
        expect(await store.rateLimiter.hit("k", window)).to.deep.equal({ allowed: true, remaining: 1, granted: 1 });
        expect(await store.rateLimiter.hit("k", window)).to.deep.equal({ allowed: true, remaining: 0, granted: 1 });
        const refused = await store.rateLimiter.hit("k", window);
        expect(refused.allowed).to.equal(false);
        expect(refused.allowed === false && refused.retryAfterMs).to.be.within(1, 60_000);
        expect((await store.rateLimiter.hit("other", window)).allowed).to.equal(true);
      });

      it("records several hits at once, as many as the window has room for", async function () {
        const window = { limit: 5, windowMs: 60_000 };
        expect(await store.rateLimiter.hit("many", window, 3)).to.deep.equal({
          allowed: true,
          remaining: 2,
          granted: 3,
        });
        expect(await store.rateLimiter.hit("many", window, 3)).to.deep.equal({
          allowed: true,
          remaining: 0,
          granted: 2,
        });
        expect((await store.rateLimiter.hit("many", window, 3)).allowed).to.equal(false);
        const refusal = await Promise.resolve()
          .then(() => store.rateLimiter.hit("many", window, 0))
          .catch((error: unknown) => error);
        expect(refusal).to.be.instanceOf(RangeError);
      });

      it("counts up from a starting value, atomically under concurrent increments", async function () {
        expect(await store.keyValue.readCounter("version")).to.equal(undefined);
        const values = await Promise.all(Array.from({ length: 20 }, () => store.keyValue.increment("version", 1_000)));
        expect(values.toSorted((a, b) => a - b)).to.deep.equal(Array.from({ length: 20 }, (_, i) => 1_001 + i));
        expect(await store.keyValue.readCounter("version")).to.equal(1_020);
        // The start only applies to a missing counter.
        expect(await store.keyValue.increment("version", 5)).to.equal(1_021);
      });

      it("lets exactly one of many concurrent claims of a key set it, until it expires", async function () {
        const claims = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.keyValue.setIfAbsent("claim", `claimant ${i}`, 50)),
        );
        expect(claims.filter(Boolean)).to.have.length(1);
        expect(await store.keyValue.get("claim")).to.equal(`claimant ${claims.indexOf(true)}`);
        await new Promise((resolve) => setTimeout(resolve, 80));
        expect(await store.keyValue.setIfAbsent("claim", "later", 60_000)).to.equal(true);
      });

      it("adds to a total only within its limit, atomically, gives back, and forgets the total with its TTL", async function () {
        expect(await store.keyValue.readTotal("budget")).to.equal(0);
        const adds = await Promise.all(
          Array.from({ length: 10 }, () => store.keyValue.addWithin("budget", 300, 1_000, 80)),
        );
        expect(adds.filter((result) => result.added)).to.have.length(3);
        expect(adds.filter((result) => !result.added).every((result) => result.total === 900)).to.equal(true);
        expect(await store.keyValue.addWithin("budget", 101, 1_000, 80)).to.deep.equal({ added: false, total: 900 });
        expect(await store.keyValue.addWithin("budget", 100, 1_000, 80)).to.deep.equal({ added: true, total: 1_000 });
        expect(await store.keyValue.addWithin("budget", -300, 1_000, 80)).to.deep.equal({ added: true, total: 700 });
        expect(await store.keyValue.readTotal("budget")).to.equal(700);
        await new Promise((resolve) => setTimeout(resolve, 120));
        expect(await store.keyValue.readTotal("budget")).to.equal(0);
      });

      it("delivers published messages to subscribers until they unsubscribe", async function () {
        const received: string[] = [];
        const unsubscribe = await store.pubSub.subscribe("orders", (message) => received.push(message));
        await store.pubSub.publish("orders", "first");
        await waitFor(() => received.length === 1);
        await unsubscribe();
        await store.pubSub.publish("orders", "second");
        await store.pubSub.publish("orders", "third");
        const probe: string[] = [];
        const stopProbe = await store.pubSub.subscribe("orders", (message) => probe.push(message));
        await store.pubSub.publish("orders", "fourth");
        await waitFor(() => probe.length === 1);
        await stopProbe();
        expect(received).to.deep.equal(["first"]);
      });
    });
  }
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(condition(), "condition never became true").to.equal(true);
}
