import { randomUUID } from "node:crypto";

import type { Middleware } from "koa";
import type { Logger } from "pino";

import type { ApiState } from "../api-context.js";

/** A caller-supplied id is kept only if it is short and plain, so it cannot forge or break log lines. */
export const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (the caller's `X-Request-Id` when sane), echoes it back, puts a child logger carrying
 * it on `ctx.state.log`, and writes one access-log line when the response is done.
 */
export function requestId(log: Logger): Middleware<ApiState> {
  return async (ctx, next) => {
    const offered = ctx.get("X-Request-Id");
    const id = SANE_REQUEST_ID.test(offered) ? offered : randomUUID();
    ctx.state.requestId = id;
    ctx.state.log = log.child({ requestId: id });
    ctx.set("X-Request-Id", id);
    const started = performance.now();
    try {
      await next();
    } finally {
      ctx.state.log.info(
        {
          method: ctx.method,
          path: ctx.path,
          route: ctx.state.routePattern,
          status: ctx.status,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
        },
        "request",
      );
    }
  };
}
