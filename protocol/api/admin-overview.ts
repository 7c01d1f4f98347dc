import { z } from "zod";

import { ORDER_FLAG_KINDS } from "../vocabulary/order-vocabulary.js";
import { disputeSummary } from "./disputes.js";

export const adminOverview = z.object({
  flaggedOrders: z.object({
    count: z.number().int().nonnegative().describe("Orders with a payment flag nobody resolved"),
    unknownRefCount: z.number().int().nonnegative().describe("Unresolved escrow payments whose ref names no order"),
    latest: z.array(
      z.object({ orderId: z.uuid().nullable(), kind: z.enum(ORDER_FLAG_KINDS), createdAt: z.iso.datetime() }),
    ),
  }),
  openDisputes: z.object({ count: z.number().int().nonnegative(), oldest: z.array(disputeSummary) }),
  reconciliationRuns: z
    .array(
      z.object({
        id: z.string(),
        windowFrom: z.iso.datetime(),
        windowTo: z.iso.datetime(),
        finishedAt: z.iso.datetime(),
        differences: z.number().int().nonnegative(),
      }),
    )
    .describe("The latest Stripe reconciliation runs (npm run stripe:reconcile), newest first"),
});

export type AdminOverview = z.infer<typeof adminOverview>;
