/**
 * Shared state the API keeps outside PostgreSQL. Production runs several replicas against one Redis
 * (`createRedisStore`); a single process without REDIS_URL uses `createMemoryStore`, which keeps the same
 * contracts inside the process and so is only correct while there is one replica.
 */
export interface Store {
  /** `redis` or `memory`, for logs and readiness. */
  readonly kind: "redis" | "memory";
  keyValue: KeyValueStore;
  cache: Cache;
  rateLimiter: RateLimiter;
  pubSub: PubSub;
  /** Resolves when the backing service answers; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Short-lived values that are consumed once, such as sign-in nonces. */
export interface KeyValueStore {
  set(key: string, value: string, ttlMs: number): Promise<void>;
  get(key: string): Promise<string | undefined>;
  /** Reads and deletes in one atomic step: of two concurrent takes of one key, exactly one gets the value. */
  take(key: string): Promise<string | undefined>;
  delete(key: string): Promise<void>;
}

export interface CacheSetOptions {
  ttlMs: number;
  /** Tags to invalidate the entry by, e.g. `product:42`. */
  tags?: readonly string[];
}

/** A JSON cache for read models; entries can be dropped by tag or by key prefix when the data behind them changes. */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, options: CacheSetOptions): Promise<void>;
  invalidateTag(tag: string): Promise<void>;
  invalidatePrefix(prefix: string): Promise<void>;
}

export interface RateLimitWindow {
  limit: number;
  windowMs: number;
}

export type RateLimitDecision =
  { allowed: true; remaining: number } | { allowed: false; remaining: 0; retryAfterMs: number };

/** A sliding-window limiter: at most `limit` hits per key in any `windowMs`; refused hits are not counted. */
export interface RateLimiter {
  hit(key: string, window: RateLimitWindow): Promise<RateLimitDecision>;
}

export type Unsubscribe = () => Promise<void>;

export interface PubSub {
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe>;
}
