import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { User } from "./User.js";

/**
 * A farmer's shop: one per farmer account. The payout wallet is where escrow payments for its orders go.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const Farm = defineEntity({
  name: "Farm",
  tableName: "farms",
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    owner: () => p.manyToOne(User).unique(),
    name: p.text(),
    slug: p.text().unique(),
    region: p.text().index(),
    description: p.text().defaultRaw("''"),
    /** Lower-case EVM address, or null until the farmer sets one. */
    payoutWallet: p.text().nullable(),
    /** Stem of the farm photo's files in the photo store, or null. */
    photoKey: p.text().nullable(),
    createdAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  checks: [
    { name: "farms_name_check", expression: "length(name) >= 1 AND length(name) <= 120" },
    { name: "farms_slug_check", expression: "slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'" },
    { name: "farms_region_check", expression: "length(region) >= 1 AND length(region) <= 80" },
    { name: "farms_payout_wallet_check", expression: "payout_wallet ~ '^0x[0-9a-f]{40}$'" },
  ],
});

export type Farm = InferEntity<typeof Farm>;
