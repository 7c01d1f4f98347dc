import type { ApiContext } from "../../http/api-context.js";

/** `__Secure-` makes browsers refuse the cookie unless it was set Secure, so it can never be planted over HTTP. */
export const REFRESH_COOKIE = "__Secure-agridao_refresh";

/** Only the auth routes (refresh, logout) ever receive the refresh token. */
const COOKIE_PATH = "/api/auth";

/**
 * The Set-Cookie value carrying a refresh token. Written by hand rather than with Koa's cookies, which refuse a Secure
 * cookie on a plain-HTTP connection: behind TLS-terminating proxies and in local development the API itself speaks HTTP.
 */
export function refreshCookie(token: string, expiresAt: Date, now: Date = new Date()): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  return [
    `${REFRESH_COOKIE}=${token}`,
    `Path=${COOKIE_PATH}`,
    `Expires=${expiresAt.toUTCString()}`,
    `Max-Age=${maxAge}`,
    "HttpOnly",
    "Secure",
    "SameSite=Strict",
  ].join("; ");
}

/** The Set-Cookie value that makes the browser forget its refresh token. */
export function clearedRefreshCookie(): string {
  return `${REFRESH_COOKIE}=; Path=${COOKIE_PATH}; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Strict`;
}

/** The refresh token the request carries, if any. */
export function readRefreshCookie(ctx: ApiContext): string | undefined {
  const value = ctx.cookies.get(REFRESH_COOKIE);
  return value === undefined || value === "" ? undefined : value;
}
