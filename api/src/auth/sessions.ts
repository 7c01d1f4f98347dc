import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";

import { describeAccount } from "../accounts/describe-account.js";
import type { AccountView } from "../accounts/describe-account.js";
import type { User } from "../entities/User.js";
import type { AccessTokens } from "./access-tokens.js";
import type { IssuedRefreshToken, RefreshTokens } from "./refresh-tokens.js";

/** What a sign-in answers: a short-lived access token and the account, plus a refresh token for the cookie. */
export interface SignedIn {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: AccountView;
}

export interface Sessions {
  /** A new sign-in: a new refresh-token family. */
  start(em: EntityManager, user: User): Promise<SignedIn & { refresh: IssuedRefreshToken }>;
  /** A refresh: the token is rotated within its family (see RefreshTokens.rotate). */
  resume(em: EntityManager, refreshToken: string, log: Logger): Promise<SignedIn & { refresh: IssuedRefreshToken }>;
  /** A fresh access token for an already signed-in user whose roles changed. */
  reissue(em: EntityManager, user: User): Promise<SignedIn>;
}

export function createSessions({
  accessTokens,
  refreshTokens,
  now = () => new Date(),
}: {
  accessTokens: AccessTokens;
  refreshTokens: RefreshTokens;
  now?: () => Date;
}): Sessions {
  const signedIn = async (em: EntityManager, user: User): Promise<SignedIn> => {
    const access = await accessTokens.issue({ id: user.id, roles: user.roles });
    return {
      accessToken: access.token,
      expiresIn: Math.max(0, Math.floor((access.expiresAt.getTime() - now().getTime()) / 1000)),
      user: await describeAccount(em, user),
    };
  };
  return {
    async start(em, user) {
      const refresh = await refreshTokens.issue(em, user);
      return { ...(await signedIn(em, user)), refresh };
    },
    async resume(em, refreshToken, log) {
      const { user, refresh } = await refreshTokens.rotate(em, refreshToken, log);
      return { ...(await signedIn(em, user)), refresh };
    },
    reissue: signedIn,
  };
}
