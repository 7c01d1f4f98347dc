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
  };
}
