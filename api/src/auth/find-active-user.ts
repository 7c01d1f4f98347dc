import type { EntityManager } from "@mikro-orm/postgresql";

import { User } from "../entities/User.js";
import { UnauthorizedError } from "../errors.js";

/** The caller's account row; a token whose account is gone or deleted no longer speaks for anyone. */
export async function findActiveUser(em: EntityManager, id: string): Promise<User> {
  const user = await em.findOne(User, { id, deletedAt: null });
  if (user === null) throw new UnauthorizedError("The account of this access token no longer exists");
  return user;
}
