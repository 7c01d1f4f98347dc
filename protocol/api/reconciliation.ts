import { z } from "zod";

export const reconciliationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const reconciliationRuns = z.object({
  runs: z.array(
    z.object({
      id: z.string(),
      from: z.iso.datetime(),
      to: z.iso.datetime(),
      startedAt: z.iso.datetime(),
      finishedAt: z.iso.datetime(),
      differences: z.number().int().nonnegative(),
      result: z.record(z.string(), z.unknown()).describe("eventsMissing, eventsApplied and each difference"),
    }),
  ),
});
