import type { Middleware } from "koa";

import type { ApiMetrics } from "../../api-metrics.js";
import type { ApiState } from "../api-context.js";

/** Counts and times every request, labelled by route pattern (never the raw path, which would explode cardinality). */
export function httpMetrics(metrics: ApiMetrics): Middleware<ApiState> {
  return async (ctx, next) => {
    const stopTimer = metrics.httpDuration.startTimer();
    try {
      await next();
    } finally {
      const labels = { method: ctx.method, route: ctx.state.routePattern ?? "unmatched", status: String(ctx.status) };
      metrics.httpRequests.inc(labels);
      stopTimer(labels);
    }
  };
}
