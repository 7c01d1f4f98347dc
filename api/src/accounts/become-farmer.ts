import type { EntityManager } from "@mikro-orm/postgresql";

import type { User } from "../entities/User.js";
import { ROLES } from "../../../protocol/vocabulary/roles.js";

/** Gives a user the farmer role (selling), keeping the others; idempotent. */
export async function becomeFarmer(em: EntityManager, user: User): Promise<User> {
  if (!user.roles.includes("farmer")) {
    user.roles = ROLES.filter((role) => role === "farmer" || user.roles.includes(role));
    await em.flush();
  }
  return user;
}
