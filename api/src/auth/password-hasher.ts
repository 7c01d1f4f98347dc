import { randomBytes } from "node:crypto";

import { Algorithm, hash, verify } from "@node-rs/argon2";

/** OWASP's argon2id baseline: 19 MiB of memory, two passes, one lane. */
const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Whether `password` matches `hash`; with no hash (no such user), spends the same work and answers false. */
  verify(hash: string | null | undefined, password: string): Promise<boolean>;
}

/**
 * argon2id password hashing. Verifying against a missing hash still runs argon2 on a dummy hash, so a login for an
 * unknown email takes as long as one with a wrong password and the response time does not reveal who has an account.
 */
export function createPasswordHasher(): PasswordHasher {
  let dummyHash: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, ARGON2_OPTIONS),
    async verify(storedHash, password) {
      if (storedHash === null || storedHash === undefined) {
        dummyHash ??= hash(randomBytes(32).toString("hex"), ARGON2_OPTIONS);
        await verify(await dummyHash, password);
        return false;
      }
      return verify(storedHash, password);
    },
  };
}
