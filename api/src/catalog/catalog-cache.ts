import type { z } from "zod";

import { CheckedJson } from "../http/checked-json.js";
import type { Cache, KeyValueStore, PubSub } from "../stores/store.js";

const VERSION_KEY = "catalog:version";
const VERSION_CHANNEL = "catalog:version";
const ENTRY_PREFIX = "catalog:";
/** Checked responses kept in this process, in front of the shared cache (most recently used last). */
const LOCAL_ENTRIES = 500;
/**
 * How long this process serves the version it holds without asking the shared store. A write anywhere publishes
 * the new version, which replicas receive within milliseconds; this bounds how stale a replica can be if it misses
 * that message (its subscriber connection was down).
 */
const VERSION_TRUST_MS = 1_000;

/**
 * Caches catalog read models (product and farm lists) under a catalog version that every catalog write raises.
 * Versions only grow: a replica keeps the highest it has seen, from the shared store or from pub/sub, whatever order
 * they arrive in. Invariant: a list computed before a write is stored under a version read before the write's,
 * which no reader that has seen the write asks for again, so a slow reader can never put a stale list back under
 * the live version.
 */
export interface CatalogCache {
  /** The cached value for `key` at the current version, or what `load` computes (then cached). */
  read<T>(key: string, load: () => Promise<T>): Promise<T>;
  /**
   * As `read`, for a response body checked against `schema`: hits at the current version are served from this
   * process's memory, then from the shared cache, and only then loaded and checked.
   */
  readChecked(key: string, schema: z.ZodType, load: () => Promise<unknown>): Promise<CheckedJson>;
  /**
   * The version this process may serve without asking the shared store (it heard of it within the last second), or
   * undefined: then the next read asks.
   */
  trustedVersion(): number | undefined;
  /** Call after any change to products, farms, photos or stock that lists show; the writer sees it at once. */
  invalidate(): Promise<void>;
}

export function createCatalogCache({
  cache,
  keyValue,
  pubSub,
  ttlMs,
  onLocalHit,
  onSubscribeError,
  now = Date.now,
}: {
  /** Wrap it with `countedCache` to count hits and misses. */
  cache: Cache;
  keyValue: KeyValueStore;
  /** Carries each new version to the other replicas. */
  pubSub: PubSub;
  ttlMs: number;
  /** Counts a hit served from this process's memory, as `countedCache` counts the shared cache's. */
  onLocalHit?: () => void;
  onSubscribeError?: (error: unknown) => void;
  now?: () => number;
}): CatalogCache {
  let latest = 0;
  let latestAt = -Infinity;
  let fetching: Promise<number> | undefined;
  const adopt = (version: number) => {
    latest = Math.max(latest, version);
    latestAt = now();
    return latest;
  };
  // The first invalidation anywhere starts the counter from the clock (in microseconds), so a counter lost with
  // the shared store restarts above every version handed out before it and never meets an old entry.
  const startFromClock = () => now() * 1_000;
  pubSub
    .subscribe(VERSION_CHANNEL, (message) => adopt(Number(message)))
    .catch((error: unknown) => {
      // Still correct without it: the version is then re-read every VERSION_TRUST_MS.
      onSubscribeError?.(error);
    });
  const fetchVersion = async () => {
    const stored = await keyValue.readCounter(VERSION_KEY);
    return adopt(stored ?? (await keyValue.increment(VERSION_KEY, startFromClock())));
  };
  const currentVersion = (): number | Promise<number> => {
    if (now() - latestAt < VERSION_TRUST_MS) return latest;
    fetching ??= fetchVersion().finally(() => (fetching = undefined));
    return fetching;
  };
  const local = new Map<string, CheckedJson>();
  const remember = (entryKey: string, value: CheckedJson) => {
    local.delete(entryKey);
    local.set(entryKey, value);
    if (local.size > LOCAL_ENTRIES) local.delete(local.keys().next().value!);
    return value;
  };
  return {
    trustedVersion() {
      return now() - latestAt < VERSION_TRUST_MS ? latest : undefined;
    },
    async readChecked(key, schema, load) {
      const entryKey = `${ENTRY_PREFIX}${await currentVersion()}:${key}`;
      const held = local.get(entryKey);
      if (held !== undefined && held.schema === schema) {
        onLocalHit?.();
        return remember(entryKey, held);
      }
      const cached = await cache.get<string>(entryKey);
      if (cached !== undefined) return remember(entryKey, CheckedJson.checkedBefore(schema, cached));
      const checked = CheckedJson.check(schema, await load());
      await cache.set(entryKey, checked.text, { ttlMs });
      return remember(entryKey, checked);
    },
    async read<T>(key: string, load: () => Promise<T>) {
      const entryKey = `${ENTRY_PREFIX}${await currentVersion()}:${key}`;
      const cached = await cache.get<T>(entryKey);
      if (cached !== undefined) return cached;
      const value = await load();
      await cache.set(entryKey, value, { ttlMs });
      return value;
    },
    async invalidate() {
      const version = adopt(await keyValue.increment(VERSION_KEY, startFromClock()));
      await pubSub.publish(VERSION_CHANNEL, String(version));
      // Frees the previous version's entries now rather than at their expiry; correctness rests on the version.
      await cache.invalidatePrefix(`${ENTRY_PREFIX}${version - 1}:`);
    },
  };
}
