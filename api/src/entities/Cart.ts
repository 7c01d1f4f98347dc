import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { User } from "./User.js";

/**
 * A shopping cart: either a signed-in user's (one per user) or an anonymous one, known only by the SHA-256 hash of
 * the opaque token its holder carries. Carts reserve nothing; stock is checked again at checkout.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const Cart = defineEntity({
  name: "Cart",
  tableName: "carts",
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    user: () => p.manyToOne(User).nullable().unique().deleteRule("cascade"),
    /** Hex SHA-256 of an anonymous cart's token; the token itself is never stored. */
    tokenHash: p.text().nullable().unique(),
    createdAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
    /** Bumped by every change to the cart or its lines, so idle anonymous carts can be found. */
    updatedAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  checks: [
    { name: "carts_owner_check", expression: "(user_id IS NULL) <> (token_hash IS NULL)" },
    { name: "carts_token_hash_check", expression: "token_hash ~ '^[0-9a-f]{64}$'" },
  ],
});

export type Cart = InferEntity<typeof Cart>;
