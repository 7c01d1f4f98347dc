import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

/**
 * A Stripe webhook event as received, stored once by its id before anything is done with it. `processedAt` is set in
 * the transaction that applied it; an event that failed keeps `processedAt` null and its `error`, and is applied by
 * Stripe's redelivery or the reconcile command.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const StripeEvent = defineEntity({
  name: "StripeEvent",
  tableName: "stripe_events",
  properties: {
    id: p.text().primary(),
    type: p.text(),
    created: p.datetime(),
    payload: p.json<Record<string, unknown>>(),
    receivedAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
    processedAt: p.datetime().nullable().index("stripe_events_processed_at_index"),
    error: p.text().nullable(),
  },
});

export type StripeEvent = InferEntity<typeof StripeEvent>;
