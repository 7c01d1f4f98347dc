import { createHash, randomBytes } from "node:crypto";

/** A new anonymous cart token: 256 random bits, base64url. Only its hash is stored. */
export function createCartToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The stored form of a cart token. A plain SHA-256 suffices: the token has 256 bits of entropy, so there is nothing
 * to brute-force, and a database leak does not hand out usable tokens.
 */
export function hashCartToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
