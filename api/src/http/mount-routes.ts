import type { Router } from "@koa/router";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { z } from "zod";

import type { AuthUser } from "../auth/access-tokens.js";
import { loadActiveUser } from "../auth/load-active-user.js";
import { ForbiddenError, UnauthorizedError, UnsupportedMediaTypeError, ValidationError } from "../errors.js";
import type { ValidationIssue } from "../errors.js";
import type { Role } from "../../../protocol/vocabulary/roles.js";
import type { ApiContext, ApiState } from "./api-context.js";
import { CheckedJson } from "./checked-json.js";
import type { ApiRoute } from "./define-route.js";
import { malformedTextIssues } from "./malformed-text-issues.js";
import type { EnforceRateLimit } from "./middleware/rate-limit.js";

/**
 * Registers routes declared with `defineRoute`: rate limit, then auth (roles checked against the account as it is now,
 * see speaksForCurrentAccount), then input validation (text no column could store is refused first, anywhere in the
 * request), then the handler.
 */
export function mountRoutes(
  router: Router<ApiState>,
  routes: readonly ApiRoute[],
  {
    enforceRateLimit,
    forkEntityManager,
  }: {
    enforceRateLimit: EnforceRateLimit;
    /** A fresh entity manager with its own identity map, so identity maps never leak between requests. */
    forkEntityManager: () => EntityManager;
  },
): void {
  for (const route of routes) {
    router[route.method](route.path, async (ctx: ApiContext) => {
      ctx.state.routePattern = route.path;
      if (route.rateLimit !== false) await enforceRateLimit(ctx, route.rateLimit ?? "default");
      let em: EntityManager | undefined;
      const requestEm = () => (em ??= forkEntityManager());
      let user = ctx.state.user;
      if (route.auth !== "public") {
        if (user === undefined) throw ctx.state.authError ?? new UnauthorizedError();
        if (speaksForCurrentAccount(route.auth, ctx.method, user)) {
          const account = await loadActiveUser(requestEm(), user.id);
          user = { id: account.id, roles: [...account.roles] };
        }
        const { roles } = user;
        if (route.auth !== "user" && !route.auth.some((role) => roles.includes(role))) {
          throw new ForbiddenError(`Requires one of the roles: ${route.auth.join(", ")}`);
        }
      }
      const { request = {} } = route;
      if (request.body !== undefined && ctx.method !== "GET" && !ctx.is("application/json")) {
        throw new UnsupportedMediaTypeError("Expected a JSON body (Content-Type: application/json)");
      }
      const raw = { params: (ctx as { params?: unknown }).params ?? {}, query: ctx.query, body: ctx.request.body };
      // Before any schema, and over every part whether the route declares it or reads it from ctx itself.
      const malformed = Object.entries(raw).flatMap(([part, value]) => malformedTextIssues(part, value));
      if (malformed.length > 0) throw new ValidationError("The request is invalid", malformed);
      const issues: ValidationIssue[] = [];
      const params = validate("params", request.params, raw.params, issues);
      const query = validate("query", request.query, raw.query, issues);
      const body = validate("body", request.body, raw.body, issues);
      if (issues.length > 0) throw new ValidationError("The request is invalid", issues);

      const result = await route.handler({
        params,
        query,
        body,
        user,
        log: ctx.state.log,
        ctx,
        get em() {
          return requestEm();
        },
      });
      const schema = route.responses[result.status];
      if (schema === undefined) {
        throw new Error(`${route.method.toUpperCase()} ${route.path} returned undeclared status ${result.status}`);
      }
      ctx.status = result.status;
      if (result.headers !== undefined) ctx.set(result.headers);
      if (result.body instanceof CheckedJson) {
        if (result.body.schema !== schema) {
          throw new Error(`${route.method.toUpperCase()} ${route.path} returned JSON checked against another schema`);
        }
        ctx.type = "application/json";
        ctx.set("ETag", result.body.etag);
        ctx.body = result.body.bytes;
        if (result.shared === true && route.auth === "public") ctx.state.sharedJson = result.body;
        return;
      }
      // Responses are parsed too, so a field the schema does not list (a password hash) never leaves the server.
      if (schema !== null) ctx.body = parseResponse(route, schema, result.body);
    });
  }
}

/** Roles that act on other people's orders, disputes and accounts. */
const STAFF_ROLES: readonly Role[] = ["admin", "arbiter"];

/**
 * Whether the caller's roles and standing are read from their account rather than trusted from the access token,
 * which may predate a revoked role or a deleted account by up to its lifetime: always for a route that needs a role,
 * for every write, and for any request of a token naming a staff role (whose reads show other people's data). Only a
 * non-staff user's reads go by the token alone, so they cost no query.
 */
function speaksForCurrentAccount(auth: "user" | readonly Role[], method: string, user: AuthUser): boolean {
  if (auth !== "user" || (method !== "GET" && method !== "HEAD")) return true;
  return user.roles.some((role) => STAFF_ROLES.includes(role));
}

function validate(part: string, schema: z.ZodType | undefined, value: unknown, issues: ValidationIssue[]): unknown {
  if (schema === undefined) return undefined;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    issues.push({ path: [part, ...issue.path.map(String)].join("."), message: issue.message });
  }
  return undefined;
}

/** A response that fails its schema is a server bug (500), unlike a ZodError escaping a handler (400). */
function parseResponse(route: ApiRoute, schema: z.ZodType, body: unknown): unknown {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new Error(`${route.method.toUpperCase()} ${route.path} produced a response its schema refuses`, {
    cause: parsed.error,
  });
}
