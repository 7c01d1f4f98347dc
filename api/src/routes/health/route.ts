import { ServiceUnavailableError } from "../../errors.js";
import { defineRoute } from "../../http/define-route.js";
import type { ReadinessReport } from "../../operations/readiness-check.js";
import { healthResponse, readyResponse } from "../../../../protocol/api/health.js";

/** Liveness and readiness probes for the load balancer and orchestrator; never rate limited. */
export function createHealthRoutes({ checkReadiness }: { checkReadiness: () => Promise<ReadinessReport> }) {
  return [
    defineRoute({
      method: "get",
      path: "/health",
      auth: "public",
      rateLimit: false,
      summary: "Liveness: the process is up and serving HTTP",
      tags: ["operations"],
      responses: { 200: healthResponse },
    }).handle(() => ({ status: 200, body: { status: "ok" } })),
    defineRoute({
      method: "get",
      path: "/ready",
      auth: "public",
      rateLimit: false,
      summary: "Readiness: database, Redis, chain RPC and indexer lag are all within bounds",
      description: "Answers 503 with the failing checks in `error.details.checks` when not ready.",
      tags: ["operations"],
      responses: { 200: readyResponse },
    }).handle(async ({ ctx }) => {
      const report = await checkReadiness();
      ctx.set("Cache-Control", "no-store");
      if (!report.ready) throw new ServiceUnavailableError("Not ready", { checks: report.checks });
      return { status: 200, body: { status: "ready", checks: report.checks } };
    }),
  ];
}
