import type { Middleware } from "koa";

import type { ApiState } from "../api-context.js";

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

// The docs page loads Swagger UI's own script and stylesheet from this server; Swagger UI sets inline styles.
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The headers every API response carries (the docs page swaps in its own CSP). */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
  "Content-Security-Policy": API_CSP,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
};

const DOCS_SECURITY_HEADERS = { ...API_SECURITY_HEADERS, "Content-Security-Policy": DOCS_CSP };

/** Sets the security headers before anything else runs, so errors and 404s carry them too. */
export function securityHeaders({ docsPath }: { docsPath: string }): Middleware<ApiState> {
  return async (ctx, next) => {
    ctx.set(
      ctx.path === docsPath || ctx.path.startsWith(`${docsPath}/`) ? DOCS_SECURITY_HEADERS : API_SECURITY_HEADERS,
    );
    await next();
  };
}
