import { parseSiweMessage } from "viem/siwe";

import type { AuthServices } from "../../auth/auth-services.js";
import { logInWithPassword } from "../../auth/log-in-with-password.js";
import { signInWithWallet } from "../../auth/sign-in-with-wallet.js";
import { signUpWithPassword } from "../../auth/sign-up-with-password.js";
import { UnauthorizedError, ValidationError } from "../../errors.js";
import { defineRoute } from "../../http/define-route.js";
import type { ApiRoute } from "../../http/define-route.js";
import { clearedRefreshCookie, readRefreshCookie, refreshCookie } from "./refresh-cookie.js";
import { requireAllowedOrigin } from "./require-allowed-origin.js";
import {
  loginBody,
  nonceResponse,
  signedInResponse,
  signupBody,
  signupResponse,
  siweVerifyBody,
} from "../../../../protocol/api/auth.js";

const TAGS = ["auth"] as const;

const SIGNED_IN = "Answers the access token and the account, and sets the refresh token as an HttpOnly cookie.";

/** The same answer whether or not the email was free, so signing up cannot be used to find out who is registered. */
const SIGNUP_ACCEPTED = {
  status: "accepted",
  message: "If this email can be registered, its account is ready: sign in with the email and password.",
} as const;

/** Sign-in (SIWE, email + password), sign-up, token refresh and sign-out, all under the strict `auth` rate limit. */
export function createAuthRoutes(auth: AuthServices): ApiRoute[] {
  const { config, nonces, verifySiwe, hasher, sessions, refreshTokens, limitAccount } = auth;
  const withCookie = (refresh: { token: string; expiresAt: Date }) => ({
    "Set-Cookie": refreshCookie(refresh.token, refresh.expiresAt),
    "Cache-Control": "no-store",
  });

  return [
    defineRoute({
      method: "post",
      path: "/api/auth/siwe/nonce",
      auth: "public",
      rateLimit: "auth",
      summary: "Issue a single-use nonce for a Sign-In with Ethereum message",
      description: `The nonce is valid for ${config.siwe.nonceTtlSeconds} seconds and one verification attempt.`,
      tags: TAGS,
      responses: { 201: nonceResponse },
    }).handle(async () => {
      const { nonce, expiresAt } = await nonces.issue();
      return {
        status: 201,
        body: {
          nonce,
          expiresAt: expiresAt.toISOString(),
          domain: config.siwe.domain,
          uri: config.siwe.uri,
          chainId: config.chainId,
        },
        headers: { "Cache-Control": "no-store" },
      };
    }),

    defineRoute({
      method: "post",
      path: "/api/auth/siwe/verify",
      auth: "public",
      rateLimit: "auth",
      summary: "Sign in with an EIP-4361 message signed by a wallet (a key or an ERC-1271 smart account)",
      description: `The first sign-in of a wallet creates a buyer account for it. ${SIGNED_IN}`,
      tags: TAGS,
      request: { body: siweVerifyBody },
      responses: { 200: signedInResponse },
    }).handle(async ({ body, em, log }) => {
      const claimed = parseSiweMessage(body.message).address;
      if (claimed !== undefined) await limitAccount(`wallet:${claimed.toLowerCase()}`);
      const wallet = await verifySiwe(body);
      const user = await signInWithWallet(em, wallet);
      const session = await sessions.start(em, user);
      log.info({ userId: user.id, method: "siwe" }, "signed in");
      const { refresh, ...signedIn } = session;
      return { status: 200, body: signedIn, headers: withCookie(refresh) };
    }),

    defineRoute({
      method: "post",
      path: "/api/auth/signup",
      auth: "public",
      rateLimit: "auth",
      summary: "Register with an email and a password",
      description:
        "Always answers 202 with the same body, whether or not the email already has an account; then sign in with " +
        "POST /api/auth/login. Passwords: 12 to 128 characters, not the email, not a well-known password.",
      tags: TAGS,
      request: { body: signupBody },
      responses: { 202: signupResponse },
    }).handle(async ({ body, em, log }) => {
      if (body.termsVersion !== config.termsVersion) {
        throw new ValidationError("The request is invalid", [
          { path: "body.termsVersion", message: `the current terms are version ${config.termsVersion}` },
        ]);
      }
      await limitAccount(`email:${body.email}`);
      const created = await signUpWithPassword(em, hasher, {
        email: body.email,
        password: body.password,
        termsVersion: config.termsVersion,
        now: new Date(),
      });
      log.info({ created }, created ? "signed up" : "sign-up for an email that already has an account");
      return { status: 202, body: SIGNUP_ACCEPTED };
    }),

    defineRoute({
      method: "post",
      path: "/api/auth/login",
      auth: "public",
      rateLimit: "auth",
      summary: "Sign in with an email and a password",
      description: `An unknown email and a wrong password get the same 401. ${SIGNED_IN}`,
      tags: TAGS,
      request: { body: loginBody },
      responses: { 200: signedInResponse },
    }).handle(async ({ body, em, log }) => {
      await limitAccount(`email:${body.email}`);
      const user = await logInWithPassword(em, hasher, body);
      const { refresh, ...signedIn } = await sessions.start(em, user);
      log.info({ userId: user.id, method: "password" }, "signed in");
      return { status: 200, body: signedIn, headers: withCookie(refresh) };
    }),

    defineRoute({
      method: "post",
      path: "/api/auth/refresh",
      auth: "public",
      rateLimit: "auth",
      summary: "Exchange the refresh cookie for a new access token and a new refresh cookie",
      description:
        "Needs an allowed Origin header. The refresh token is single use: presenting one that was already exchanged " +
        "ends every session of that sign-in.",
      tags: TAGS,
      responses: { 200: signedInResponse },
    }).handle(async ({ em, log, ctx }) => {
      requireAllowedOrigin(ctx, config.corsOrigins);
      const token = readRefreshCookie(ctx);
      if (token === undefined) {
        ctx.set("Set-Cookie", clearedRefreshCookie());
        throw new UnauthorizedError("No refresh token: sign in");
      }
      try {
        const { refresh, ...signedIn } = await sessions.resume(em, token, log);
        return { status: 200, body: signedIn, headers: withCookie(refresh) };
      } catch (error) {
        ctx.set("Set-Cookie", clearedRefreshCookie());
        throw error;
      }
    }),

    defineRoute({
      method: "post",
      path: "/api/auth/logout",
      auth: "public",
      rateLimit: "auth",
      summary: "Sign out: end this sign-in's session (its refresh-token family) and clear the cookie",
      description: "Needs an allowed Origin header. Access tokens already issued live until they expire.",
      tags: TAGS,
      responses: { 204: null },
    }).handle(async ({ em, log, ctx }) => {
      requireAllowedOrigin(ctx, config.corsOrigins);
      const token = readRefreshCookie(ctx);
      const userId = token === undefined ? undefined : await refreshTokens.revokeFamilyOf(em, token);
      if (userId !== undefined) log.info({ userId }, "signed out");
      return { status: 204, body: undefined, headers: { "Set-Cookie": clearedRefreshCookie() } };
    }),

    defineRoute({
      method: "post",
      path: "/api/auth/logout-all",
      auth: "user",
      rateLimit: "auth",
      summary: "Sign out everywhere: end every session of the account",
      tags: TAGS,
      responses: { 204: null },
    }).handle(async ({ user, em, log }) => {
      await refreshTokens.revokeAllOf(em, user.id);
      log.info({ userId: user.id }, "signed out everywhere");
      return { status: 204, body: undefined, headers: { "Set-Cookie": clearedRefreshCookie() } };
    }),
  ];
}
