import { createHash, randomBytes } from "node:crypto";

import type { Redis } from "ioredis";

import { checkHitCount } from "./check-hit-count.js";
import type { Cache, KeyValueStore, PubSub, RateLimiter, Store } from "./store.js";

// Sliding window over a sorted set of hit times. Runs atomically, and reads the clock from Redis so replicas with
// skewed clocks share one timeline. Records up to ARGV[4] hits (members ARGV[3]:1, :2, …) as room allows and returns
// {1, remaining, granted}, or {0, retry-after ms} when there is no room; refused hits are not recorded.
const SLIDING_WINDOW_HIT = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local wanted = tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  local granted = math.min(wanted, limit - count)
  local members = {}
  for i = 1, granted do
    members[#members + 1] = now
    members[#members + 1] = ARGV[3] .. ':' .. i
  end
  redis.call('ZADD', key, unpack(members))
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - granted, granted}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, math.max(1, tonumber(oldest[2]) + window - now)}
`;

// INCR on a counter that starts from ARGV[1] when missing (plain INCR would restart it at 1).
const INCREMENT_FROM = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
return redis.call('INCR', KEYS[1])
`;

// INCRBY unless the total would pass ARGV[2]; the TTL (ARGV[3] ms) is set when the key is created. Returns
// {1, total} when added, {0, total} when not.
const ADD_WITHIN = `
local total = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
if total + amount > tonumber(ARGV[2]) then return {0, total} end
local created = redis.call('EXISTS', KEYS[1]) == 0
total = redis.call('INCRBY', KEYS[1], amount)
if created then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, total}
`;

/**
 * The store shared by every API replica. All keys start with `prefix` (tests use one per run). The caller owns
 * `redis`; `close()` only ends the subscriber connection this store opened for pub/sub.
 */
export function createRedisStore({ redis, prefix = "agridao:" }: { redis: Redis; prefix?: string }): Store {
  const kvKey = (key: string) => `${prefix}kv:${key}`;
  const cacheKey = (key: string) => `${prefix}cache:${key}`;
  const tagKey = (tag: string) => `${prefix}cache-tag:${tag}`;

  const addWithin = storedScript(redis, ADD_WITHIN);
  const keyValue: KeyValueStore = {
    async set(key, value, ttlMs) {
      await redis.set(kvKey(key), value, "PX", ttlMs);
    },
    async get(key) {
      return (await redis.get(kvKey(key))) ?? undefined;
    },
    async take(key) {
      return (await redis.getdel(kvKey(key))) ?? undefined;
    },
    async delete(key) {
      await redis.del(kvKey(key));
    },
    async increment(key, start) {
      return Number(await redis.eval(INCREMENT_FROM, 1, kvKey(key), start));
    },
    async readCounter(key) {
      const value = await redis.get(kvKey(key));
      return value === null ? undefined : Number(value);
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await redis.set(kvKey(key), value, "PX", ttlMs, "NX")) === "OK";
    },
    async addWithin(key, amount, limit, ttlMs) {
      const [added, total] = (await addWithin([kvKey(key)], [amount, limit, ttlMs])) as [number, number];
      return { added: added === 1, total };
    },
    async readTotal(key) {
      return Number((await redis.get(kvKey(key))) ?? 0);
    },
  };

  const cache: Cache = {
    async get<T>(key: string) {
      const value = await redis.get(cacheKey(key));
      return value === null ? undefined : (JSON.parse(value) as T);
    },
    async set(key, value, { ttlMs, tags = [] }) {
      const transaction = redis.multi().set(cacheKey(key), JSON.stringify(value), "PX", ttlMs);
      // A tag set outlives its entries by at most one TTL; stale members only cost a DEL of a missing key.
      for (const tag of tags) transaction.sadd(tagKey(tag), cacheKey(key)).pexpire(tagKey(tag), ttlMs, "GT");
      for (const tag of tags) transaction.pexpire(tagKey(tag), ttlMs, "NX");
      await transaction.exec();
    },
    async invalidateTag(tag) {
      const keys = await redis.smembers(tagKey(tag));
      await redis.del(tagKey(tag), ...keys);
    },
    async invalidatePrefix(keyPrefix) {
      const pattern = `${escapeGlob(cacheKey(keyPrefix))}*`;
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
        if (keys.length > 0) await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== "0");
    },
  };

  const slidingWindowHit = storedScript(redis, SLIDING_WINDOW_HIT);
  // Hit members only need to be unique per key: this store's own id plus a counter is, without a random draw each.
  const memberPrefix = randomBytes(8).toString("hex");
  let hits = 0;
  const rateLimiter: RateLimiter = {
    async hit(key, { limit, windowMs }, count = 1) {
      checkHitCount(count);
      const member = `${memberPrefix}:${(hits++).toString(36)}`;
      const [allowed, value, granted] = (await slidingWindowHit(
        [`${prefix}rate:${key}`],
        [limit, windowMs, member, count],
      )) as [number, number, number];
      return allowed === 1
        ? { allowed: true, remaining: value, granted }
        : { allowed: false, remaining: 0, retryAfterMs: value };
    },
  };

  let subscriber: Redis | undefined;
  const listeners = new Map<string, Set<(message: string) => void>>();
  const channelKey = (channel: string) => `${prefix}${channel}`;
  const pubSub: PubSub = {
    async publish(channel, message) {
      await redis.publish(channelKey(channel), message);
    },
    async subscribe(channel, onMessage) {
      if (subscriber === undefined) {
        subscriber = redis.duplicate();
        subscriber.on("message", (fullChannel: string, message: string) => {
          for (const listener of listeners.get(fullChannel) ?? []) listener(message);
        });
      }
      const connection = subscriber;
      const name = channelKey(channel);
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      const listener = (message: string) => onMessage(message);
      set.add(listener);
      if (set.size === 1) await connection.subscribe(name);
      return async () => {
        set.delete(listener);
        if (set.size === 0) {
          listeners.delete(name);
          await connection.unsubscribe(name);
        }
      };
    },
  };

  return {
    kind: "redis",
    keyValue,
    cache,
    rateLimiter,
    pubSub,
    async ping() {
      await redis.ping();
    },
    async close() {
      listeners.clear();
      await subscriber?.quit();
      subscriber = undefined;
    },
  };
}

/** A Lua script run by its SHA (EVALSHA), loaded with EVAL only when the server does not know it yet. */
function storedScript(redis: Redis, lua: string) {
  const sha = createHash("sha1").update(lua).digest("hex");
  return async (keys: string[], args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
