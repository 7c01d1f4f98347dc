import { readAdminOverview } from "../../admin/read-admin-overview.js";
import type { DisputeService } from "../../disputes/dispute-service.js";
import { defineRoute } from "../../http/define-route.js";
import { adminOverview } from "../../../../protocol/api/admin-overview.js";

/** The admin's dashboard: what needs a person's attention. */
export function createAdminOverviewRoutes({ disputes }: { disputes: DisputeService }) {
  return [
    defineRoute({
      method: "get",
      path: "/api/admin/overview",
      auth: ["admin"],
      summary: "Flagged payments, open disputes and the latest reconciliation runs",
      tags: ["admin"],
      responses: { 200: adminOverview },
    }).handle(async ({ em }) => ({
      status: 200,
      body: await readAdminOverview(em, disputes),
      headers: { "Cache-Control": "no-store" },
    })),
  ];
}
