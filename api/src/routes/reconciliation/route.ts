import { listReconciliationRuns } from "../../card-payments/reconcile-stripe.js";
import { defineRoute } from "../../http/define-route.js";
import { reconciliationQuery, reconciliationRuns } from "../../../../protocol/api/reconciliation.js";

/** The results of `npm run stripe:reconcile`, for the admin dashboard. */
export function createReconciliationRoutes() {
  return [
    defineRoute({
      method: "get",
      path: "/api/admin/reconciliation",
      auth: ["admin"],
      summary: "The latest Stripe reconciliation runs, newest first",
      tags: ["admin"],
      request: { query: reconciliationQuery },
      responses: { 200: reconciliationRuns },
    }).handle(async ({ query, em }) => ({
      status: 200,
      body: { runs: await listReconciliationRuns(em, query.limit) },
      headers: { "Cache-Control": "no-store" },
    })),
  ];
}
