import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { ROLES } from "../../../protocol/vocabulary/roles.js";
import type { Role } from "../../../protocol/vocabulary/roles.js";

/**
 * An account. A wallet-only user has no email or password; a deleted user keeps its row for order history.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const User = defineEntity({
  name: "User",
  tableName: "users",
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    email: p.text().nullable().unique(),
    passwordHash: p.text().nullable().hidden(),
    roles: p
      .array<Role>()
      .columnType("text[]")
      .defaultRaw("'{buyer}'::text[]")
      .onCreate((): Role[] => ["buyer"]),
    tosAcceptedAt: p.datetime().nullable(),
    tosVersion: p.text().nullable(),
    createdAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
    deletedAt: p.datetime().nullable(),
  },
  checks: [
    { name: "users_email_check", expression: "email = lower(email)" },
    { name: "users_roles_check", expression: `roles <@ ARRAY[${ROLES.map((role) => `'${role}'`).join(", ")}]::text[]` },
    { name: "users_tos_check", expression: "(tos_accepted_at IS NULL) = (tos_version IS NULL)" },
  ],
});

export type User = InferEntity<typeof User>;
