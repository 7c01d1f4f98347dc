import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";

import type { Middleware } from "koa";
import type { Logger } from "pino";

import type { ApiMetrics } from "../../api-metrics.js";
import type { ApiState } from "../api-context.js";
import type { CheckedJson } from "../checked-json.js";

import type { EnforceRateLimit } from "./rate-limit.js";
import { SANE_REQUEST_ID } from "./request-id.js";
import { API_SECURITY_HEADERS } from "./security-headers.js";

/** Responses kept; a catalog change empties them all, so only the hottest queries of one version live here. */
const MAX_ENTRIES = 1_000;
/** As the compress middleware: smaller bodies are sent as they are. */
const COMPRESS_THRESHOLD = 1_024;

interface SharedEntry {
  json: CheckedJson;
  route: string;
  gzip?: Buffer;
}

/**
 * The catalog's public reads (listings and product pages) are the same for every anonymous caller and are asked for
 * far more than anything else. Once the full stack has answered one with a response the route declared shared
 * (`ctx.state.sharedJson`, a cached catalog body), this process answers the same URL again from here, ahead of the
 * rest of the stack, until the catalog version changes: the request still gets its id, the security headers, its
 * rate-limit hit, its metrics, ETag revalidation and gzip (compressed once per entry), but none of the routing,
 * validation and per-request serialization. Only anonymous requests without an Origin qualify: a bearer token is
 * rate-limited per account too, and CORS answers belong to the CORS middleware. Hits are logged at debug level (the
 * proxy in front keeps the access log); misses go through the whole stack and its access log as before.
 */
export function sharedResponses(deps: {
  /** The catalog version this process trusts now, or undefined when it must ask the shared store again. */
  catalogVersion: () => number | undefined;
  enforceRateLimit: EnforceRateLimit;
  metrics: ApiMetrics;
  log: Logger;
}): Middleware<ApiState> {
  const { metrics, log } = deps;
  let entries = new Map<string, SharedEntry>();
  let entriesVersion: number | undefined;

  return async (ctx, next) => {
    const version = deps.catalogVersion();
    const eligible =
      (ctx.method === "GET" || ctx.method === "HEAD") &&
      ctx.get("Authorization") === "" &&
      ctx.get("Origin") === "" &&
      version !== undefined;
    if (!eligible) {
      await next();
      return;
    }
    if (version !== entriesVersion) {
      entries = new Map();
      entriesVersion = version;
    }
    const entry = entries.get(ctx.url);
    if (entry === undefined) {
      await next();
      const json = ctx.state.sharedJson;
      // Kept only if no catalog change landed while the full stack answered (the body may predate it).
      if (json !== undefined && ctx.status === 200 && deps.catalogVersion() === version) {
        if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
        entries.set(ctx.url, { json, route: ctx.state.routePattern ?? ctx.path });
      }
      return;
    }

    const started = performance.now();
    // Over the limit: the full stack counts the hit again (harmless past the limit) and answers 429 its own way.
    try {
      await deps.enforceRateLimit(ctx, "default");
    } catch {
      await next();
      return;
    }
    const offered = ctx.get("X-Request-Id");
    const requestId = SANE_REQUEST_ID.test(offered) ? offered : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.routePattern = entry.route;
    ctx.set(API_SECURITY_HEADERS);
    ctx.set("X-Request-Id", requestId);
    ctx.set("Vary", "Origin, Accept-Encoding");
    ctx.set("ETag", entry.json.etag);
    ctx.status = 200;
    ctx.type = "application/json";
    if (ctx.fresh) {
      ctx.status = 304;
    } else if (entry.json.bytes.length >= COMPRESS_THRESHOLD && ctx.acceptsEncodings("gzip", "identity") === "gzip") {
      entry.gzip ??= gzipSync(entry.json.bytes);
      ctx.set("Content-Encoding", "gzip");
      ctx.body = entry.gzip;
    } else {
      ctx.body = entry.json.bytes;
    }
    const labels = { method: ctx.method, route: entry.route, status: String(ctx.status) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, (performance.now() - started) / 1_000);
    metrics.cacheLookups.inc({ result: "hit" });
    if (log.isLevelEnabled("debug")) log.debug({ requestId, path: ctx.path, status: ctx.status }, "shared response");
  };
}
