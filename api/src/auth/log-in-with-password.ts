import type { EntityManager } from "@mikro-orm/postgresql";

import { User } from "../entities/User.js";
import { UnauthorizedError } from "../errors.js";
import type { PasswordHasher } from "./password-hasher.js";

/** One answer for an unknown email and a wrong password, after the same argon2 work, so neither reveals an account. */
export const INVALID_CREDENTIALS = "Invalid email or password";

/** The account an email and password sign into; UnauthorizedError (always the same one) otherwise. */
export async function logInWithPassword(
  em: EntityManager,
  hasher: PasswordHasher,
  { email, password }: { email: string; password: string },
): Promise<User> {
  const user = await em.findOne(User, { email, deletedAt: null });
  const valid = await hasher.verify(user?.passwordHash, password);
  if (user === null || !valid) throw new UnauthorizedError(INVALID_CREDENTIALS);
  return user;
}
