import type { EntityManager } from "@mikro-orm/postgresql";
import type { z } from "zod";

import type { adminOverview } from "../../../protocol/api/admin-overview.js";
import type { DisputeService } from "../disputes/dispute-service.js";
import { Dispute } from "../entities/Dispute.js";
import type { OrderFlagKind } from "../../../protocol/vocabulary/order-vocabulary.js";

/** What admins watch: flagged payments, open disputes, and the latest Stripe reconciliation results. */
export type AdminOverview = z.input<typeof adminOverview>;

/** Reads the admin overview. */
export async function readAdminOverview(
  em: EntityManager,
  disputes: Pick<DisputeService, "queue">,
): Promise<AdminOverview> {
  const [flagged] = await em.execute<{ orders: string; unknown_refs: string }[]>(
    `SELECT count(DISTINCT order_id)::text AS orders, count(*) FILTER (WHERE order_id IS NULL)::text AS unknown_refs
       FROM order_flags WHERE resolved_at IS NULL`,
  );
  const latest = await em.execute<{ order_id: string | null; kind: OrderFlagKind; created_at: Date }[]>(
    "SELECT order_id, kind, created_at FROM order_flags WHERE resolved_at IS NULL ORDER BY id DESC LIMIT 20",
  );
  const openCount = await em.count(Dispute, { status: "open" });
  const runs = await em.execute<
    { id: string; window_from: Date; window_to: Date; finished_at: Date; differences: number }[]
  >(
    `SELECT id::text AS id, window_from, window_to, finished_at, differences
       FROM reconciliation_runs ORDER BY finished_at DESC, id DESC LIMIT 10`,
  );
  const iso = (value: Date) => new Date(value).toISOString();
  return {
    flaggedOrders: {
      count: Number(flagged.orders),
      unknownRefCount: Number(flagged.unknown_refs),
      latest: latest.map((row) => ({ orderId: row.order_id, kind: row.kind, createdAt: iso(row.created_at) })),
    },
    openDisputes: { count: openCount, oldest: await disputes.queue(em, 20) },
    reconciliationRuns: runs.map((run) => ({
      id: run.id,
      windowFrom: iso(run.window_from),
      windowTo: iso(run.window_to),
      finishedAt: iso(run.finished_at),
      differences: run.differences,
    })),
  };
}
