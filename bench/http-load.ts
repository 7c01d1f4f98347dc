import autocannon from "autocannon";

import { percentile } from "./head-latency.js";

/** One scenario's figures: throughput, exact latency percentiles over every response, and failures. */
export interface HttpLoadResult {
  reqPerSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Connection errors, timeouts and non-2xx answers. */
  errors: number;
  requests: number;
}

/**
 * Drives `url` with autocannon at a fixed number of connections for `durationSeconds`. Latencies are collected from
 * every response (autocannon's own summary has no p95). `setupClient` can give each connection its own headers;
 * `setupRequest` can vary each request.
 */
export async function runHttpLoad(options: {
  url: string;
  connections: number;
  durationSeconds: number;
  method?: "GET" | "PUT" | "POST";
  headers?: Record<string, string>;
  body?: string;
  setupClient?: (client: autocannon.Client, index: number) => void;
  setupRequest?: (request: autocannon.Request) => autocannon.Request;
}): Promise<HttpLoadResult> {
  const latencies: number[] = [];
  let clients = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        method: options.method ?? "GET",
        headers: options.headers,
        body: options.body,
        requests: options.setupRequest === undefined ? undefined : [{ setupRequest: options.setupRequest }],
        setupClient: (client) => options.setupClient?.(client, clients++),
      },
      (error: Error | null, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    reqPerSec: Math.round(result.requests.average),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    errors: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  };
}
