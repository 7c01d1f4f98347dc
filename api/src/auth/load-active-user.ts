import type { EntityManager } from "@mikro-orm/postgresql";

import { User } from "../entities/User.js";
import { UnauthorizedError } from "../errors.js";

/** The caller's account; a token that outlived its deleted account is refused like a bad one (401). */
export async function loadActiveUser(em: EntityManager, id: string): Promise<User> {
  const user = await em.findOne(User, { id, deletedAt: null });
  if (user === null) throw new UnauthorizedError("The account no longer exists");
  return user;
}
