import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { User } from "./User.js";

/**
 * One refresh token of a sign-in session. Only the SHA-256 of the opaque token is stored. Every refresh replaces the
 * token with a new one of the same family (one family per sign-in); presenting a replaced token again means it leaked,
 * so the whole family is revoked.
 */
export const RefreshToken = defineEntity({
  name: "RefreshToken",
  tableName: "refresh_tokens",
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    user: () => p.manyToOne(User).index("refresh_tokens_user_id_index"),
    familyId: p.uuid().index("refresh_tokens_family_id_index"),
    tokenHash: p.text().unique(),
    createdAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    replacedBy: p.uuid().nullable(),
    revokedAt: p.datetime().nullable(),
  },
  checks: [
    { name: "refresh_tokens_token_hash_check", expression: "token_hash ~ '^[0-9a-f]{64}$'" },
    { name: "refresh_tokens_replaced_by_check", expression: "(replaced_by IS NULL) OR (used_at IS NOT NULL)" },
  ],
});

export type RefreshToken = InferEntity<typeof RefreshToken>;
