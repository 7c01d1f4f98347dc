import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * What the proxy does to one request instead of forwarding it untouched. Each models what real providers do:
 * - `rate-limited`: HTTP 429 with a Retry-After header and a JSON-RPC error body (`code` -32005 as Infura sends
 *   it, 429 as Alchemy does);
 * - `server-error`: HTTP 500 with a JSON-RPC internal error, 502 with a proxy's HTML page, or 503 with a JSON-RPC
 *   error of code -32000;
 * - `hang`: never answers, so the client's timeout has to end the request;
 * - `drop`: sends the headers and half of the node's answer, then closes the connection;
 * - `truncate`: sends a complete HTTP response whose JSON body is cut in half;
 * - `range-too-large`: answers an `eth_getLogs` with the JSON-RPC error providers use for too wide a query;
 * - `rewrite`: forwards, then answers with `rewrite(result)` instead of the node's result (duplicated or replayed
 *   logs, a head that went back, a block not seen yet).
 */
export type RpcFault =
  | { type: "rate-limited"; retryAfterSeconds: number; code: -32005 | 429 }
  | { type: "server-error"; status: 500 | 502 | 503 }
  | { type: "hang" }
  | { type: "drop" }
  | { type: "truncate" }
  | { type: "range-too-large"; message?: string }
  | { type: "rewrite"; rewrite: (result: unknown) => unknown };

/** One JSON-RPC request as it reached the proxy. */
export interface RpcCall {
  /** Arrival order, from 0. */
  seq: number;
  method: string;
  params: unknown[];
}

/** A request and what the proxy did with it; `forwarded` means the node's answer reached the client unchanged. */
export interface ProxiedCall extends RpcCall {
  outcome: "forwarded" | RpcFault["type"];
  /** The node's result, when the proxy asked the node. */
  result?: unknown;
}

/** Decides the fate of each request; `history` holds every request answered so far, in the order answered. */
export type FaultSchedule = (call: RpcCall, history: readonly ProxiedCall[]) => RpcFault | undefined;

/** The range-too-large message Infura and geth use. */
const TOO_MANY_RESULTS = "query returned more than 10000 results";

/**
 * A JSON-RPC endpoint of its own on a free loopback port that forwards to `upstream`, except where `schedule`
 * injects a fault. `calls` records every request once its answer (or its fault) has been decided, before the
 * client can see it, so a test can tell which answers a client had received when it acted.
 */
export async function startRpcFaultProxy(options: { upstream: string; schedule: FaultSchedule }) {
  const calls: ProxiedCall[] = [];
  let seq = 0;

  async function forward(raw: string): Promise<{ text: string; result: unknown }> {
    const response = await fetch(options.upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: raw,
    });
    const text = await response.text();
    return { text, result: (JSON.parse(text) as { result?: unknown }).result };
  }

  async function answer(raw: string, response: ServerResponse): Promise<void> {
    const request = JSON.parse(raw) as { id?: unknown; method?: unknown; params?: unknown };
    if (Array.isArray(request) || typeof request.method !== "string") {
      response.writeHead(400, { "content-type": "text/plain" }).end("the fault proxy takes single JSON-RPC requests");
      return;
    }
    const call: RpcCall = {
      seq: seq++,
      method: request.method,
      params: Array.isArray(request.params) ? (request.params as unknown[]) : [],
    };
    const fault = options.schedule(call, calls);
    const rpcError = (code: number, message: string) =>
      JSON.stringify({ jsonrpc: "2.0", id: request.id, error: { code, message } });

    if (fault === undefined) {
      const { text, result } = await forward(raw);
      calls.push({ ...call, outcome: "forwarded", result });
      response.writeHead(200, { "content-type": "application/json" }).end(text);
      return;
    }
    switch (fault.type) {
      case "rate-limited":
        calls.push({ ...call, outcome: fault.type });
        response
          .writeHead(429, { "content-type": "application/json", "retry-after": String(fault.retryAfterSeconds) })
          .end(rpcError(fault.code, "rate limit exceeded, retry later"));
        return;
      case "server-error":
        calls.push({ ...call, outcome: fault.type });
        if (fault.status === 502) {
          response.writeHead(502, { "content-type": "text/html" }).end("<html><h1>502 Bad Gateway</h1></html>");
        } else {
          const body =
            fault.status === 500 ? rpcError(-32603, "internal error") : rpcError(-32000, "upstream unavailable");
          response.writeHead(fault.status, { "content-type": "application/json" }).end(body);
        }
        return;
      case "hang":
        calls.push({ ...call, outcome: fault.type });
        return;
      case "range-too-large":
        calls.push({ ...call, outcome: fault.type });
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(rpcError(-32005, fault.message ?? TOO_MANY_RESULTS));
        return;
      case "drop": {
        const { text, result } = await forward(raw);
        calls.push({ ...call, outcome: fault.type, result });
        response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        response.write(text.slice(0, Math.floor(text.length / 2)), () => response.destroy());
        return;
      }
      case "truncate": {
        const { text, result } = await forward(raw);
        calls.push({ ...call, outcome: fault.type, result });
        response.writeHead(200, { "content-type": "application/json" }).end(text.slice(0, Math.floor(text.length / 2)));
        return;
      }
      case "rewrite": {
        const { result } = await forward(raw);
        calls.push({ ...call, outcome: fault.type, result });
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ jsonrpc: "2.0", id: request.id, result: fault.rewrite(result) }));
        return;
      }
    }
  }

  const failures: unknown[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      answer(Buffer.concat(chunks).toString(), response).catch((error: unknown) => {
        // The proxy's own failure (the node down, a broken schedule) must not pass for an injected fault.
        failures.push(error);
        response.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    /** Errors of the proxy itself; a test expects none. */
    failures,
    /** Stops listening and cuts every open connection, hung requests included. */
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
