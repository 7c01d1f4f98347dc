import { ForbiddenError } from "../../errors.js";
import type { ApiContext } from "../../http/api-context.js";

/**
 * CSRF defence for the cookie-authenticated routes: the browser always sends `Origin` on a cross-origin or POST
 * request, so a request without one, or from a site not on the allow-list, did not come from our web app.
 */
export function requireAllowedOrigin(ctx: ApiContext, allowedOrigins: readonly string[]): void {
  const origin = ctx.get("Origin");
  if (origin === "" || !allowedOrigins.includes(origin)) {
    throw new ForbiddenError("This request must come from the web app (its Origin is not allowed)");
  }
}
