import { checkHitCount } from "./check-hit-count.js";
import type { Cache, KeyValueStore, PubSub, RateLimiter, Store } from "./store.js";

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/**
 * The in-process store, used only when REDIS_URL is unset: one process, one replica (`npm run dev`). Its state
 * dies with the process and is invisible to any other replica. Expired entries are dropped when next touched,
 * which is enough for a development process but not for a long-lived public one.
 */
export function createMemoryStore(now: () => number = Date.now): Store {
  const values = new Map<string, Expiring<string>>();
  const cached = new Map<string, Expiring<string> & { tags: readonly string[] }>();
  const counters = new Map<string, number>();
  const totals = new Map<string, Expiring<number>>();
  const hits = new Map<string, number[]>();
  const listeners = new Map<string, Set<(message: string) => void>>();

  const live = <T>(map: Map<string, Expiring<T>>, key: string): Expiring<T> | undefined => {
    const entry = map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > now()) return entry;
    map.delete(key);
    return undefined;
  };

  const keyValue: KeyValueStore = {
    set(key, value, ttlMs) {
      values.set(key, { value, expiresAt: now() + ttlMs });
      return Promise.resolve();
    },
    get(key) {
      return Promise.resolve(live(values, key)?.value);
    },
    take(key) {
      const entry = live(values, key);
      values.delete(key);
      return Promise.resolve(entry?.value);
    },
    delete(key) {
      values.delete(key);
      return Promise.resolve();
    },
    increment(key, start) {
      const value = (counters.get(key) ?? start) + 1;
      counters.set(key, value);
      return Promise.resolve(value);
    },
    readCounter(key) {
      return Promise.resolve(counters.get(key));
    },
    setIfAbsent(key, value, ttlMs) {
      if (live(values, key) !== undefined) return Promise.resolve(false);
      values.set(key, { value, expiresAt: now() + ttlMs });
      return Promise.resolve(true);
    },
    addWithin(key, amount, limit, ttlMs) {
      const entry = live(totals, key);
      const total = (entry?.value ?? 0) + amount;
      if (total > limit) return Promise.resolve({ added: false, total: entry?.value ?? 0 });
      totals.set(key, { value: total, expiresAt: entry?.expiresAt ?? now() + ttlMs });
      return Promise.resolve({ added: true, total });
    },
    readTotal(key) {
      return Promise.resolve(live(totals, key)?.value ?? 0);
    },
  };

  const cache: Cache = {
    get<T>(key: string) {
      const entry = live(cached, key);
      return Promise.resolve(entry === undefined ? undefined : (JSON.parse(entry.value) as T));
    },
    set(key, value, options) {
      cached.set(key, { value: JSON.stringify(value), expiresAt: now() + options.ttlMs, tags: options.tags ?? [] });
      return Promise.resolve();
    },
    invalidateTag(tag) {
      for (const [key, entry] of cached) if (entry.tags.includes(tag)) cached.delete(key);
      return Promise.resolve();
    },
    invalidatePrefix(prefix) {
      for (const key of cached.keys()) if (key.startsWith(prefix)) cached.delete(key);
      return Promise.resolve();
    },
  };

  const rateLimiter: RateLimiter = {
    hit(key, { limit, windowMs }, count = 1) {
      checkHitCount(count);
      const at = now();
      const recent = (hits.get(key) ?? []).filter((time) => time > at - windowMs);
      if (recent.length >= limit) {
        hits.set(key, recent);
        return Promise.resolve({ allowed: false, remaining: 0, retryAfterMs: recent[0] + windowMs - at });
      }
      const granted = Math.min(count, limit - recent.length);
      for (let hit = 0; hit < granted; hit++) recent.push(at);
      hits.set(key, recent);
      return Promise.resolve({ allowed: true, remaining: limit - recent.length, granted });
    },
  };

  const pubSub: PubSub = {
    publish(channel, message) {
      for (const listener of listeners.get(channel) ?? []) listener(message);
      return Promise.resolve();
    },
    subscribe(channel, onMessage) {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      // A wrapper of its own, so subscribing one function twice yields two independent subscriptions.
      const listener = (message: string) => onMessage(message);
      set.add(listener);
      return Promise.resolve(() => {
        set.delete(listener);
        return Promise.resolve();
      });
    },
  };

  return {
    kind: "memory",
    keyValue,
    cache,
    rateLimiter,
    pubSub,
    ping: () => Promise.resolve(),
    close() {
      values.clear();
      counters.clear();
      totals.clear();
      cached.clear();
      hits.clear();
      listeners.clear();
      return Promise.resolve();
    },
  };
}
