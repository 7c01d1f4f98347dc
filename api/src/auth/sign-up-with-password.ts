import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import { User } from "../entities/User.js";
import type { PasswordHasher } from "./password-hasher.js";

/**
 * Registers an email account that accepted the terms of `termsVersion`. An email that already has an account is left
 * untouched and the caller is told nothing different: the password is hashed first either way, so neither the answer
 * nor its timing reveals who is registered. Returns whether an account was created (for the server's own use only).
 */
export async function signUpWithPassword(
  em: EntityManager,
  hasher: PasswordHasher,
  input: { email: string; password: string; termsVersion: string; now: Date },
): Promise<boolean> {
  const passwordHash = await hasher.hash(input.password);
  try {
    em.create(User, {
      id: crypto.randomUUID(),
      email: input.email,
      passwordHash,
      tosAcceptedAt: input.now,
      tosVersion: input.termsVersion,
    });
    await em.flush();
    return true;
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      em.clear();
      return false;
    }
    throw error;
  }
}
