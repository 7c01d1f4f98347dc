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
  /**
   * Adds one to the counter at `key` and returns the new value, atomically across replicas. A missing counter is
   * first set to `start`, so a counter that was lost restarts above values handed out before (given a clock).
   */
  increment(key: string, start: number): Promise<number>;
  /** The counter at `key`, or undefined when there is none. */
  readCounter(key: string): Promise<number | undefined>;
  /**
   * Sets `key` only when it holds nothing (SET NX): of two concurrent claims of one key, exactly one gets true.
   * The value lives `ttlMs`.
   */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Adds `amount` (negative to give back) to the total at `key`, unless the total would then exceed `limit`; atomic
   * across replicas. Returns whether it was added and the total after. A missing total starts at 0 and, once written,
   * lives `ttlMs` from its first write: a budget per period.
   */
  addWithin(key: string, amount: number, limit: number, ttlMs: number): Promise<{ added: boolean; total: number }>;
  /** The total `addWithin` keeps at `key`; 0 when there is none. */
  readTotal(key: string): Promise<number>;
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
  { allowed: true; remaining: number; granted: number } | { allowed: false; remaining: 0; retryAfterMs: number };

/** Hits one call of `RateLimiter.hit` may record. */
export const MAX_HITS_PER_CALL = 1_000;

/** A sliding-window limiter: at most `limit` hits per key in any `windowMs`; refused hits are not counted. */
export interface RateLimiter {
  /**
   * Records up to `count` hits (default 1, at most MAX_HITS_PER_CALL) now: as many as the window still has room for,
   * reported as `granted`. Refused only when there is no room for even one.
   */
  hit(key: string, window: RateLimitWindow, count?: number): Promise<RateLimitDecision>;
}

export type Unsubscribe = () => Promise<void>;

export interface PubSub {
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe>;
}
