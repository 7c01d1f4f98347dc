import type { Middleware } from "koa";
import { ZodError } from "zod";

import { isDatabaseUnavailable } from "../../database/is-database-unavailable.js";
import {
  ApiError,
  DatabaseUnavailableError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from "../../errors.js";
import type { ApiState } from "../api-context.js";

/** The one error body the API sends: `{"error": {"code", "message", "details"}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * Turns every error into the one error shape, at the top of the stack. Typed errors keep their status and code;
 * anything unknown is a bug: logged in full with the request id, answered with a generic 500.
 */
export function errorHandler({ bodyLimit }: { bodyLimit: string }): Middleware<ApiState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) throw new NotFoundError(`No route for ${ctx.method} ${ctx.path}`);
      if (ctx.status === 405 && ctx.body == null) {
        ctx.body = errorBody("method_not_allowed", `${ctx.method} is not allowed on ${ctx.path}`);
      }
    } catch (error) {
      const known = toApiError(error, bodyLimit);
      if (known === undefined) {
        ctx.state.log.error({ err: error }, "unhandled error");
        ctx.status = 500;
        ctx.body = errorBody("internal_error", "Internal server error", { requestId: ctx.state.requestId });
        return;
      }
      // The cause of a mapped failure (which connection error made the database unavailable) is for the log only.
      const cause = known === error ? undefined : error;
      if (known.status >= 500)
        ctx.state.log.warn({ code: known.code, details: known.details, err: cause }, known.message);
      else ctx.state.log.debug({ code: known.code }, known.message);
      ctx.status = known.status;
      if (known instanceof RateLimitedError) ctx.set("Retry-After", String(known.retryAfterSeconds));
      ctx.body = errorBody(known.code, known.message, known.details);
    }
  };
}

function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/**
 * Maps our errors, zod's, the body parser's (raw-body/co-body, which carry `type` and `status`), and the database
 * being down or silent (a 503 the client may retry, not a bug).
 */
function toApiError(error: unknown, bodyLimit: string): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof ZodError) {
    return new ValidationError(
      "The request is invalid",
      error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })),
    );
  }
  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
  if (type === "entity.too.large" || status === 413) return new PayloadTooLargeError(bodyLimit);
  if (type === "entity.parse.failed" || (error instanceof SyntaxError && status === 400))
    return new ValidationError("The request body is not valid JSON");
  if (status === 415 || type === "encoding.unsupported" || type === "charset.unsupported") {
    return new UnsupportedMediaTypeError("The request body's encoding is not supported");
  }
  if (isDatabaseUnavailable(error)) return new DatabaseUnavailableError();
  return undefined;
}
