import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";
import type { z } from "zod";

import type { CheckedJson } from "./checked-json.js";

import type { AuthUser } from "../auth/access-tokens.js";
import type { Role } from "../../../protocol/vocabulary/roles.js";
import type { ApiContext } from "./api-context.js";
import type { RateLimitPolicyName } from "./middleware/rate-limit.js";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/**
 * Who may call a route: anyone, any signed-in user, or users holding at least one of the listed roles. Roles are those
 * of the account now, read on every request, not the access token's: a revoked role or a deleted account is refused
 * at once (403, 401).
 */
export type RouteAuth = "public" | "user" | readonly Role[];

/** Zod schemas for the parts of a request; each is validated before the handler runs (400 on failure). */
export interface RouteRequest {
  params?: z.ZodType;
  query?: z.ZodType;
  /** A JSON body; requests with another content type get 415. */
  body?: z.ZodType;
}

/** Response schemas by status; `null` for a status without a body (204). Only listed statuses may be returned. */
export type RouteResponses = { [status: number]: z.ZodType | null };

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler returns: one of the declared statuses and a body its schema accepts. */
export type RouteResult<R extends RouteResponses> = {
  [S in keyof R & number]: {
    status: S;
    /** The body, or the same already checked and serialized (see CheckedJson). */
    body: R[S] extends z.ZodType ? z.input<R[S]> | CheckedJson : undefined;
    headers?: Record<string, string>;
    /**
     * A CheckedJson body of a public route that every anonymous caller gets alike until the catalog changes: it may
     * be answered again from the shared responses ahead of the stack (see sharedResponses).
     */
    shared?: boolean;
  };
}[keyof R & number];

export interface RouteInput<Req extends RouteRequest, A extends RouteAuth> {
  params: Parsed<Req["params"]>;
  query: Parsed<Req["query"]>;
  body: Parsed<Req["body"]>;
  /**
   * The caller; always present unless the route is public. Its roles are the account's current ones on role routes,
   * writes and staff requests; on a non-staff user's reads, the token's.
   */
  user: A extends "public" ? AuthUser | undefined : AuthUser;
  /**
   * This request's own entity manager, forked on first use: read it only where the database is needed, so a
   * response served from cache costs no fork (destructuring `em` counts as a use).
   */
  em: EntityManager;
  /** Logger stamped with the request id. */
  log: Logger;
  /** For what the schemas cannot express (cookies, raw headers). Prefer the parsed fields above. */
  ctx: ApiContext;
}

/** Everything about a route except its handler. */
export interface RouteSpec<Req extends RouteRequest, R extends RouteResponses, A extends RouteAuth> {
  method: HttpMethod;
  /** A koa-router path, e.g. `/api/products/:id`. Everything except /health, /ready and /metrics is under /api. */
  path: string;
  auth: A;
  /** The rate-limit policy the route counts against; `false` only for probes. Defaults to `default`. */
  rateLimit?: RateLimitPolicyName | false;
  summary: string;
  description?: string;
  tags: readonly string[];
  request?: Req;
  responses: R;
}

export type RouteHandler<Req extends RouteRequest, R extends RouteResponses, A extends RouteAuth> = (
  input: RouteInput<Req, A>,
) => RouteResult<R> | Promise<RouteResult<R>>;

interface ApiRouteResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  shared?: boolean;
}

/** A route with its types erased, as routers and the OpenAPI builder see it. */
export interface ApiRoute extends RouteSpec<RouteRequest, RouteResponses, RouteAuth> {
  handler(input: RouteInput<RouteRequest, RouteAuth>): ApiRouteResult | Promise<ApiRouteResult>;
}

/**
 * Declares a route: its input schemas, its responses and who may call it, then its handler:
 * `defineRoute({ ...spec }).handle(async ({ params, query, body, user, em }) => ({ status: 200, body }))`.
 * `mountRoutes` enforces the spec and `buildOpenApiDocument` documents it, so contract and behaviour cannot drift.
 * The handler comes in a second call so TypeScript fixes the response types from the spec before checking it.
 */
export function defineRoute<
  const Req extends RouteRequest = Record<never, never>,
  const R extends RouteResponses = RouteResponses,
  const A extends RouteAuth = RouteAuth,
>(spec: RouteSpec<Req, R, A>): { handle(handler: RouteHandler<Req, R, A>): ApiRoute } {
  return {
    handle: (handler) => ({ ...spec, handler }),
  };
}
