import { randomUUID } from "node:crypto";

import type { z } from "zod";

import { CheckedJson } from "../checked-json.js";
import type { Cache, KeyValueStore } from "../stores/store.js";

const VERSION_KEY = "catalog:version";
const ENTRY_PREFIX = "catalog:";
/** The version outlives every entry by far; if it is lost anyway, a new one is drawn and old entries are orphaned. */
const VERSION_TTL_MS = 30 * 24 * 60 * 60_000;
/** Checked responses kept in this process, in front of the shared cache (most recently used last). */
const LOCAL_ENTRIES = 500;

/**
 * Caches catalog read models (product and farm lists) under a catalog version that every catalog write replaces.
 * Invariant: a list computed before a write is stored under the version read before it, which no reader after the
 * write asks for, so a slow reader can never put a stale list back under the live version.
 */
export interface CatalogCache {
  /** The cached value for `key` at the current version, or what `load` computes (then cached). */
  read<T>(key: string, load: () => Promise<T>): Promise<T>;
  /**
   * As `read`, for a response body checked against `schema`: hits at the current version are served from this
   * process's memory (still one version lookup in the shared store, so a write anywhere is seen at once), then from
   * the shared cache, and only then loaded and checked.
   */
  readChecked(key: string, schema: z.ZodType, load: () => Promise<unknown>): Promise<CheckedJson>;
  /** Call after any change to products, farms, photos or stock that lists show. */
  invalidate(): Promise<void>;
}

export function createCatalogCache({
  cache,
  keyValue,
  ttlMs,
  onLocalHit,
}: {
  /** Wrap it with `countedCache` to count hits and misses. */
  cache: Cache;
  keyValue: KeyValueStore;
  ttlMs: number;
  /** Counts a hit served from this process's memory, as `countedCache` counts the shared cache's. */
  onLocalHit?: () => void;
}): CatalogCache {
  const currentVersion = async () => {
    const version = await keyValue.get(VERSION_KEY);
    if (version !== undefined) return version;
    const fresh = randomUUID();
    await keyValue.set(VERSION_KEY, fresh, VERSION_TTL_MS);
    return fresh;
  };
  const local = new Map<string, CheckedJson>();
  const remember = (entryKey: string, value: CheckedJson) => {
    local.delete(entryKey);
    local.set(entryKey, value);
    if (local.size > LOCAL_ENTRIES) local.delete(local.keys().next().value!);
    return value;
  };
  return {
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
      const previous = await keyValue.get(VERSION_KEY);
      await keyValue.set(VERSION_KEY, randomUUID(), VERSION_TTL_MS);
      // Frees the old entries now rather than at their expiry; correctness rests on the version alone.
      if (previous !== undefined) await cache.invalidatePrefix(`${ENTRY_PREFIX}${previous}:`);
    },
  };
}
