import type { Middleware } from "koa";

import type { AccessTokens } from "../../auth/access-tokens.js";
import { UnauthorizedError } from "../../errors.js";
import type { ApiState } from "../api-context.js";

/**
 * Reads `Authorization: Bearer <token>` and sets `ctx.state.user`. A missing or bad token is not an error here:
 * routes that need a user refuse the request (401), public routes serve it anonymously.
 */
export function authenticate(accessTokens: AccessTokens): Middleware<ApiState> {
  return async (ctx, next) => {
    const header = ctx.get("Authorization");
    if (header !== "") {
      const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
      if (match === null) {
        ctx.state.authError = new UnauthorizedError("Expected an Authorization: Bearer access token");
      } else {
        try {
          ctx.state.user = await accessTokens.verify(match[1]);
        } catch (error) {
          if (!(error instanceof UnauthorizedError)) throw error;
          ctx.state.authError = error;
        }
      }
    }
    await next();
  };
}
