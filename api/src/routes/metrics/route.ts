import type { Router } from "@koa/router";

import type { ApiMetrics } from "../../api-metrics.js";
import type { ApiState } from "../../http/api-context.js";

/** Prometheus scrape endpoint. Plain text, so it sits outside the JSON route convention and the OpenAPI document. */
export function mountMetricsRoute(router: Router<ApiState>, metrics: ApiMetrics): void {
  router.get("/metrics", async (ctx) => {
    ctx.state.routePattern = "/metrics";
    ctx.set("Cache-Control", "no-store");
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
}
