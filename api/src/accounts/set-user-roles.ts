import type { EntityManager } from "@mikro-orm/postgresql";

import { User } from "../entities/User.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { ROLES } from "../../../protocol/vocabulary/roles.js";
import type { Role } from "../../../protocol/vocabulary/roles.js";

/**
 * An admin sets a user's roles. Routes that need a role, writes and staff requests read them from the account, so
 * they take effect there at once; the user's token names them from its next refresh. An admin cannot drop their own
 * admin role, so the platform is never left without one by mistake.
 */
export async function setUserRoles(
  em: EntityManager,
  { adminId, userId, roles }: { adminId: string; userId: string; roles: readonly Role[] },
): Promise<User> {
  const user = await em.findOne(User, { id: userId, deletedAt: null });
  if (user === null) throw new NotFoundError("No such user");
  if (userId === adminId && !roles.includes("admin")) {
    throw new ConflictError("You cannot remove your own admin role; ask another admin");
  }
  user.roles = ROLES.filter((role) => roles.includes(role));
  await em.flush();
  return user;
}
