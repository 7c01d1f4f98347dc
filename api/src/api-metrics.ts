import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The API's Prometheus metrics, in a registry of their own so two apps in one process (tests) never share series. */
export interface ApiMetrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route" | "status">;
  cacheLookups: Counter<"result">;
  rateLimitRejections: Counter<"policy" | "scope">;
  /** Server-sent event streams open in this process. */
  sseStreams: Gauge;
  /** Reports the database pool's size on every scrape; set once the ORM is up. */
  observeDatabasePool(read: () => { used: number; free: number; pending: number } | undefined): void;
  /** Gas of the vote transactions this process relayed (each one's gas limit: the most it can burn). */
  relayerGas: Counter;
  /** Relay requests refused, by the refusal's error code. */
  relayerRefusals: Counter<"reason">;
  /** Reports the relayer's balance and the day's gas spend (shared by every replica) on every scrape; call once. */
  observeRelayer(relayer: RelayerReadings): void;
}

/** What the metrics read of the vote relayer when scraped. */
export interface RelayerReadings {
  /** The relayer account's ETH, in wei. */
  balanceWei: () => Promise<bigint>;
  /** Gas committed to relayed votes today (UTC), by every replica. */
  gasSpentToday: () => Promise<number>;
  /** RELAYER_DAILY_GAS_BUDGET. */
  dailyGasBudget: number;
}

// A scrape must not wait on a chain RPC that stopped answering; the gauge then keeps its last reading.
const SCRAPE_READ_TIMEOUT_MS = 2_000;

/** `read()` within the scrape timeout, or undefined when it failed or took longer. */
async function scrapeRead<T>(read: () => Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>(
    (resolve) => (timer = setTimeout(() => resolve(undefined), SCRAPE_READ_TIMEOUT_MS)),
  );
  try {
    return await Promise.race([read(), late]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let readPool: () => { used: number; free: number; pending: number } | undefined = () => undefined;
  new Gauge({
    name: "api_db_pool_connections",
    help: "Database pool connections by state",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const pool = readPool();
      if (pool === undefined) return;
      this.set({ state: "used" }, pool.used);
      this.set({ state: "free" }, pool.free);
      this.set({ state: "pending" }, pool.pending);
    },
  });
  return {
    registry,
    httpRequests: new Counter({
      name: "api_http_requests_total",
      help: "HTTP requests by route pattern, method and status",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "api_http_request_duration_seconds",
      help: "HTTP request latency by route pattern, method and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    cacheLookups: new Counter({
      name: "api_cache_lookups_total",
      help: "Cache lookups by result (hit or miss)",
      labelNames: ["result"],
      registers: [registry],
    }),
    rateLimitRejections: new Counter({
      name: "api_rate_limit_rejections_total",
      help: "Requests refused with 429, by policy and by what was limited (ip or account)",
      labelNames: ["policy", "scope"],
      registers: [registry],
    }),
    sseStreams: new Gauge({
      name: "api_sse_streams_open",
      help: "Server-sent event streams open in this process",
      registers: [registry],
    }),
    observeDatabasePool(read) {
      readPool = read;
    },
    relayerGas: new Counter({
      name: "api_relayer_gas_total",
      help: "Gas of the vote transactions this process relayed (each one's gas limit)",
      registers: [registry],
    }),
    relayerRefusals: new Counter({
      name: "api_relayer_refusals_total",
      help: "Relayed votes refused before any transaction, by error code",
      labelNames: ["reason"],
      registers: [registry],
    }),
    // Registered only with a relayer, so an API without one reports no balance rather than a balance of 0.
    observeRelayer(relayer) {
      new Gauge({
        name: "api_relayer_balance_wei",
        help: "The vote relayer account's ETH balance, in wei",
        registers: [registry],
        async collect() {
          const balance = await scrapeRead(relayer.balanceWei);
          if (balance !== undefined) this.set(Number(balance));
        },
      });
      new Gauge({
        name: "api_relayer_gas_spent_today",
        help: "Gas committed to relayed votes since 00:00 UTC, by every API replica",
        registers: [registry],
        async collect() {
          const spent = await scrapeRead(relayer.gasSpentToday);
          if (spent !== undefined) this.set(spent);
        },
      });
      new Gauge({
        name: "api_relayer_gas_budget_daily",
        help: "Gas the relayer may commit to votes per UTC day (RELAYER_DAILY_GAS_BUDGET)",
        registers: [registry],
      }).set(relayer.dailyGasBudget);
    },
  };
}
