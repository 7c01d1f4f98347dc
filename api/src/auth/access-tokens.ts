import { randomUUID } from "node:crypto";

import { SignJWT, errors as joseErrors, jwtVerify } from "jose";
import { z } from "zod";

import { UnauthorizedError } from "../errors.js";
import { ROLES } from "../../../protocol/vocabulary/roles.js";
import type { Role } from "../../../protocol/vocabulary/roles.js";

/** Only this algorithm is accepted; a token naming any other (including `none`) is refused before its signature. */
const ALGORITHM = "HS256";

/** Who a verified access token speaks for. */
export interface AuthUser {
  id: string;
  roles: readonly Role[];
}

export interface IssuedAccessToken {
  token: string;
  expiresAt: Date;
}

export interface AccessTokens {
  issue(user: AuthUser): Promise<IssuedAccessToken>;
  /** Verifies signature, algorithm, issuer, audience and expiry; throws UnauthorizedError on any failure. */
  verify(token: string): Promise<AuthUser>;
}

const claimsSchema = z.object({
  sub: z.uuid(),
  roles: z.array(z.enum(ROLES)),
});

/** Short-lived JWT access tokens (HS256). Refresh tokens are a separate, server-side concern. */
export function createAccessTokens(options: {
  secret: Uint8Array;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  now?: () => Date;
}): AccessTokens {
  const now = options.now ?? (() => new Date());
  return {
    async issue(user) {
      const issuedAt = Math.floor(now().getTime() / 1000);
      const expiresAt = issuedAt + options.ttlSeconds;
      const token = await new SignJWT({ roles: [...user.roles] })
        .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
        .setSubject(user.id)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .setJti(randomUUID())
        .sign(options.secret);
      return { token, expiresAt: new Date(expiresAt * 1000) };
    },
    async verify(token) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, options.secret, {
          algorithms: [ALGORITHM],
          issuer: options.issuer,
          audience: options.audience,
          requiredClaims: ["exp", "sub"],
          currentDate: now(),
        }));
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw new UnauthorizedError("The access token has expired");
        if (error instanceof joseErrors.JOSEError || error instanceof TypeError) {
          throw new UnauthorizedError("The access token is invalid");
        }
        throw error;
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) throw new UnauthorizedError("The access token is invalid");
      return { id: claims.data.sub, roles: claims.data.roles };
    },
  };
}
