import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

/**
 * One run of the Stripe reconciliation over a time window: how many differences it found and its full JSON report.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const ReconciliationRun = defineEntity({
  name: "ReconciliationRun",
  tableName: "reconciliation_runs",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    windowFrom: p.datetime(),
    windowTo: p.datetime(),
    startedAt: p.datetime(),
    finishedAt: p.datetime(),
    differences: p.integer(),
    result: p.json<Record<string, unknown>>(),
  },
});

export type ReconciliationRun = InferEntity<typeof ReconciliationRun>;
