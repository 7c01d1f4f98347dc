import { randomBytes } from "node:crypto";

import { expect } from "chai";
import { Redis } from "ioredis";
import { z } from "zod";

import { createCatalogCache } from "../../api/src/catalog/catalog-cache.js";
import type { CatalogCache } from "../../api/src/catalog/catalog-cache.js";
import { createRedisStore } from "../../api/src/stores/redis-store.js";
import type { Store } from "../../api/src/stores/store.js";

const listSchema = z.object({ names: z.array(z.string()) });

// Two API replicas share one Redis: each keeps the catalog version in memory, learns of writes through pub/sub,
// and re-reads the version from Redis at least every second in case a message was lost.
describe("catalog cache across replicas", function () {
  const prefix = `agridao-test:${randomBytes(6).toString("hex")}:`;
  let redis: Redis;
  let stores: Store[];
  let clock: number;
  let catalog: string[];
  let loads: number;
  const replica = (store: Store): CatalogCache =>
    createCatalogCache({
      cache: store.cache,
      keyValue: store.keyValue,
      pubSub: store.pubSub,
      ttlMs: 60_000,
      now: () => clock,
    });
  const readList = async (cache: CatalogCache) =>
    JSON.parse(
      (
        await cache.readChecked("list", listSchema, () => {
          loads += 1;
          return Promise.resolve({ names: [...catalog] });
        })
      ).text,
    ) as { names: string[] };

  beforeEach(function () {
    redis = new Redis("redis://127.0.0.1:6379");
    stores = [createRedisStore({ redis, prefix }), createRedisStore({ redis, prefix })];
    clock = Date.now();
    catalog = ["rice"];
    loads = 0;
  });

  afterEach(async function () {
    for (const store of stores) await store.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it("serves hits from memory and shows a write made on another replica once its version arrives", async function () {
    const [a, b] = stores.map(replica);
    expect(await readList(a)).to.deep.equal({ names: ["rice"] });
    expect(await readList(b)).to.deep.equal({ names: ["rice"] });
    expect(loads).to.equal(1);

    catalog.push("jute");
    await a.invalidate();
    // The writer sees its own write at once.
    expect(await readList(a)).to.deep.equal({ names: ["rice", "jute"] });
    await waitFor(async () => (await readList(b)).names.length === 2);
    expect(loads).to.equal(2);
  });

  it("re-reads the version from the shared store when no message came for a second", async function () {
    const [a, b] = stores.map(replica);
    await readList(b);
    // A write published while b was not listening (a lost message): only the counter in Redis moves.
    await redis.incr(`${prefix}kv:catalog:version`);
    catalog.push("lentils");
    expect((await readList(b)).names).to.deep.equal(["rice"]);
    clock += 1_000;
    expect((await readList(b)).names).to.deep.equal(["rice", "lentils"]);
    expect((await readList(a)).names).to.deep.equal(["rice", "lentils"]);
  });

  it("never goes back to an older version, whatever order versions arrive in", async function () {
    const [a, b] = stores.map(replica);
    await readList(b);
    await a.invalidate();
    await a.invalidate();
    catalog.push("mustard");
    // Until b has heard of the second write too (b may reload on the first announcement alone, then on the second).
    const current = Number(await redis.get(`${prefix}kv:catalog:version`));
    await waitFor(async () => (await readList(b)).names.length === 2 && b.trustedVersion() === current);
    // A late, older announcement must not send b back to a version a stale reader may have filled.
    await redis.publish(`${prefix}catalog:version`, String(current - 1));
    await redis.publish(`${prefix}catalog:version`, String(current - 2));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = loads;
    expect((await readList(b)).names).to.deep.equal(["rice", "mustard"]);
    expect(loads).to.equal(before);
  });
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect.fail("condition never became true");
}
