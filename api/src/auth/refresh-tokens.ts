import { createHash, randomBytes, randomUUID } from "node:crypto";

import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";

import { RefreshToken } from "../entities/RefreshToken.js";
import { User } from "../entities/User.js";
import { UnauthorizedError } from "../errors.js";

export interface IssuedRefreshToken {
  /** The opaque token, sent to the client once and never stored. */
  token: string;
  expiresAt: Date;
  familyId: string;
}

export interface RefreshTokens {
  /** A token of a new family (a new sign-in), or of `familyId` when rotating. Flushes. */
  issue(em: EntityManager, user: User, familyId?: string): Promise<IssuedRefreshToken>;
  /**
   * Exchanges a live token for a new one of its family and returns its user. A token that was already exchanged is
   * a stolen copy or a replay: its whole family is revoked (so the thief's newer token dies too) and the reuse logged.
   * Throws UnauthorizedError for every refused token.
   */
  rotate(em: EntityManager, token: string, log: Logger): Promise<{ user: User; refresh: IssuedRefreshToken }>;
  /** Revokes the family of `token` (sign-out); unknown tokens are ignored. Returns the family's user id, if any. */
  revokeFamilyOf(em: EntityManager, token: string): Promise<string | undefined>;
  /** Revokes every family of a user (sign-out everywhere, account deletion). */
  revokeAllOf(em: EntityManager, userId: string): Promise<void>;
}

/** SHA-256 in hex: the token has 256 random bits, so a fast hash is enough and lets the lookup be an index probe. */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

type RotateOutcome =
  | { kind: "rotated"; user: User; refresh: IssuedRefreshToken }
  | { kind: "reused"; userId: string; familyId: string }
  | { kind: "refused"; message: string };

/** Opaque refresh tokens, stored hashed, rotated on every use, with reuse detection per family. */
export function createRefreshTokens({
  ttlSeconds,
  now = () => new Date(),
}: {
  ttlSeconds: number;
  now?: () => Date;
}): RefreshTokens {
  const create = (em: EntityManager, user: User, familyId: string) => {
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(now().getTime() + ttlSeconds * 1000);
    const row = em.create(RefreshToken, {
      id: randomUUID(),
      user,
      familyId,
      tokenHash: hashRefreshToken(token),
      expiresAt,
    });
    return { row, issued: { token, expiresAt, familyId } };
  };

  const revokeFamily = (em: EntityManager, familyId: string) =>
    em.nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: now() });

  return {
    async issue(em, user, familyId = randomUUID()) {
      const { issued } = create(em, user, familyId);
      await em.flush();
      return issued;
    },

    async rotate(em, token, log) {
      const outcome = await em.transactional(async (tx): Promise<RotateOutcome> => {
        // The row lock makes two concurrent refreshes with one token queue up: the second sees it used.
        const row = await tx.findOne(
          RefreshToken,
          { tokenHash: hashRefreshToken(token) },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (row === null) return { kind: "refused", message: "The refresh token is invalid" };
        if (row.revokedAt !== null) return { kind: "refused", message: "The session has ended; sign in again" };
        if (row.usedAt !== null) {
          await revokeFamily(tx, row.familyId);
          return { kind: "reused", userId: row.user.id, familyId: row.familyId };
        }
        if (row.expiresAt.getTime() <= now().getTime()) {
          return { kind: "refused", message: "The session has expired; sign in again" };
        }
        const user = await tx.findOne(User, { id: row.user.id, deletedAt: null });
        if (user === null) return { kind: "refused", message: "The account no longer exists" };
        const next = create(tx, user, row.familyId);
        row.usedAt = now();
        row.replacedBy = next.row.id;
        await tx.flush();
        return { kind: "rotated", user, refresh: next.issued };
      });
      if (outcome.kind === "reused") {
        log.warn(
          { userId: outcome.userId, familyId: outcome.familyId },
          "refresh token reused after rotation: revoked its family",
        );
        throw new UnauthorizedError("The refresh token was already used; every session of this sign-in has ended");
      }
      if (outcome.kind === "refused") throw new UnauthorizedError(outcome.message);
      return { user: outcome.user, refresh: outcome.refresh };
    },

    async revokeFamilyOf(em, token) {
      const row = await em.findOne(RefreshToken, { tokenHash: hashRefreshToken(token) });
      if (row === null) return undefined;
      await revokeFamily(em, row.familyId);
      return row.user.id;
    },

    async revokeAllOf(em, userId) {
      await em.nativeUpdate(RefreshToken, { user: userId, revokedAt: null }, { revokedAt: now() });
    },
  };
}
