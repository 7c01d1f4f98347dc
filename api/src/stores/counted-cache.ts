import type { ApiMetrics } from "../api-metrics.js";
import type { Cache } from "./store.js";

/** Wraps a cache so every lookup counts as a hit or a miss in `api_cache_lookups_total`. */
export function countedCache(cache: Cache, metrics: ApiMetrics): Cache {
  return {
    ...cache,
    async get<T>(key: string) {
      const value = await cache.get<T>(key);
      metrics.cacheLookups.inc({ result: value === undefined ? "miss" : "hit" });
      return value;
    },
  };
}
