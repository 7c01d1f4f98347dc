import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { Farm } from "./Farm.js";

/**
 * A farm's Stripe Connect (Express) account, and whether Stripe lets it take transfers and payouts yet, as last
 * reported by `account.updated`. Card proceeds are transferred only once both are enabled.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const FarmStripeAccount = defineEntity({
  name: "FarmStripeAccount",
  tableName: "farm_stripe_accounts",
  properties: {
    farm: () => p.oneToOne(Farm).primary().owner().deleteRule("cascade"),
    accountId: p.text().unique(),
    chargesEnabled: p.boolean().defaultRaw("false"),
    payoutsEnabled: p.boolean().defaultRaw("false"),
    updatedAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export type FarmStripeAccount = InferEntity<typeof FarmStripeAccount>;
