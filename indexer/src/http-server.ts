import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

import { ReorgTooDeepError } from "./errors.js";
import type { IndexerMetrics } from "./metrics.js";

export type Readiness = { ready: true } | { ready: false; reason: string };

/** Whether the indexer serves fresh data: caught up within `readyLag` blocks of the head and not halted. */
export interface IndexerHealth {
  readiness(): Readiness;
  /**
   * Marks the indexer as stopped by `error`. A reorg deeper than the window needs a person (re-index or raise the
   * window), so it keeps /ready at 503 for good, instead of a restart loop that would fail the same way.
   */
  halt(error: Error): void;
}

export function createIndexerHealth(deps: { metrics: IndexerMetrics; readyLag: number }): IndexerHealth {
  let halted: Error | undefined;
  return {
    halt(error) {
      if (halted instanceof ReorgTooDeepError) return;
      halted = error;
    },
    readiness() {
      if (halted !== undefined) return { ready: false, reason: `halted: ${halted.message}` };
      const { head, indexed } = deps.metrics.progress();
      if (head === undefined) return { ready: false, reason: "the head block is not known yet" };
      if (indexed === undefined) return { ready: false, reason: "nothing indexed yet" };
      const lag = head - indexed;
      if (lag > BigInt(deps.readyLag)) {
        return { ready: false, reason: `${lag} blocks behind the head (at most ${deps.readyLag} allowed)` };
      }
      return { ready: true };
    },
  };
}

export interface IndexerHttpServer {
  url: string;
  close(): Promise<void>;
}

/** Serves GET /health (the process is up), GET /ready (200 or 503 with a JSON reason) and GET /metrics. */
export async function startIndexerHttpServer(deps: {
  port: number;
  host?: string;
  health: IndexerHealth;
  metrics: IndexerMetrics;
}): Promise<IndexerHttpServer> {
  const { health, metrics } = deps;
  const server: Server = createServer((request, response) => {
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.method !== "GET") return json(405, { error: "method not allowed" });
    const path = new URL(request.url ?? "/", "http://indexer").pathname;
    if (path === "/health") return json(200, { status: "ok" });
    if (path === "/ready") {
      const readiness = health.readiness();
      return readiness.ready
        ? json(200, { status: "ready" })
        : json(503, { status: "not ready", reason: readiness.reason });
    }
    if (path === "/metrics") {
      metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { "content-type": metrics.registry.contentType });
          response.end(text);
        },
        () => json(500, { error: "metrics unavailable" }),
      );
      return;
    }
    json(404, { error: "not found" });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(deps.port, deps.host ?? "0.0.0.0", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${deps.host ?? "127.0.0.1"}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
