import type { ApiContext } from "../../http/api-context.js";

/** The cookie that carries an anonymous cart's token in browsers. */
export const CART_COOKIE = "agridao_cart";

/** The header that carries it for other clients (and that returns a new token to any client). */
export const CART_TOKEN_HEADER = "X-Cart-Token";

const COOKIE_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

// Scoped to the API's paths; HttpOnly keeps it from scripts, Lax from cross-site form posts.
const COOKIE_ATTRIBUTES = "Path=/api; HttpOnly; Secure; SameSite=Lax";

/** The anonymous cart token a request carries: the header when sent, else the cookie. */
export function readCartToken(ctx: ApiContext): string | undefined {
  const header = ctx.get(CART_TOKEN_HEADER);
  if (header !== "") return header;
  const cookie = ctx.cookies.get(CART_COOKIE);
  return cookie === undefined || cookie === "" ? undefined : cookie;
}

/** Response headers handing a new anonymous cart token to the caller, as a cookie and as a header. */
export function issueCartTokenHeaders(token: string): Record<string, string> {
  return {
    "Set-Cookie": `${CART_COOKIE}=${token}; Max-Age=${COOKIE_MAX_AGE_SECONDS}; ${COOKIE_ATTRIBUTES}`,
    [CART_TOKEN_HEADER]: token,
  };
}

/** Response headers that delete the cart cookie, once its cart is gone. */
export function clearCartTokenHeaders(): Record<string, string> {
  return { "Set-Cookie": `${CART_COOKIE}=; Max-Age=0; ${COOKIE_ATTRIBUTES}` };
}
