import type { EntityManager } from "@mikro-orm/postgresql";

import type { Role } from "../../../protocol/vocabulary/roles.js";

/** Ids of the active (not deleted) users holding `role`: who hears of flagged payments (admins) or disputes (arbiters). */
export async function findUsersWithRole(em: EntityManager, role: Role): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    "SELECT id FROM users WHERE ? = ANY(roles) AND deleted_at IS NULL ORDER BY id",
    [role],
  );
  return rows.map((row) => row.id);
}
