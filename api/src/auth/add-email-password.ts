import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import type { User } from "../entities/User.js";
import { ConflictError } from "../errors.js";
import type { PasswordHasher } from "./password-hasher.js";

/** Gives a wallet-only account an email and password; ConflictError if it has one or another account uses the email. */
export async function addEmailPassword(
  em: EntityManager,
  hasher: PasswordHasher,
  user: User,
  { email, password }: { email: string; password: string },
): Promise<void> {
  if (user.email !== null && user.email !== undefined) {
    throw new ConflictError("This account already has an email address");
  }
  user.passwordHash = await hasher.hash(password);
  user.email = email;
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw new ConflictError("This email address is used by another account");
    }
    throw error;
  }
}
