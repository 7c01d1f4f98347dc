/**
 * Errors a service or route may throw on purpose. Each carries its HTTP status and a stable machine-readable code;
 * the error middleware turns them into `{"error": {"code", "message", "details"}}`. Anything else is a bug and
 * becomes a generic 500.
 */
export abstract class ApiError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;

  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** One field-level problem with a request, in the `details` of a validation error. */
export interface ValidationIssue {
  /** Where the problem is: `body.email`, `query.limit`, `params.id`. */
  path: string;
  message: string;
}

export class ValidationError extends ApiError {
  readonly status = 400;
  readonly code = "validation_failed";

  constructor(message: string, issues: ValidationIssue[] = []) {
    super(message, { issues });
  }
}

export class UnauthorizedError extends ApiError {
  readonly status = 401;
  readonly code = "unauthorized";

  constructor(message = "Authentication required") {
    super(message);
  }
}

export class ForbiddenError extends ApiError {
  readonly status = 403;
  readonly code = "forbidden";

  constructor(message = "You are not allowed to do this") {
    super(message);
  }
}

export class NotFoundError extends ApiError {
  readonly status = 404;
  readonly code = "not_found";

  constructor(message = "Not found") {
    super(message);
  }
}

export class ConflictError extends ApiError {
  readonly status = 409;
  readonly code = "conflict";
}

export class PayloadTooLargeError extends ApiError {
  readonly status = 413;
  readonly code = "payload_too_large";

  constructor(limit: string) {
    super(`The request body exceeds the limit of ${limit}`, { limit });
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  readonly status = 415;
  readonly code = "unsupported_media_type";
}

export class RateLimitedError extends ApiError {
  readonly status = 429;
  readonly code = "rate_limited";

  constructor(
    /** Whole seconds until a retry can succeed; sent as `Retry-After`. */
    readonly retryAfterSeconds: number,
    policy: string,
  ) {
    super("Too many requests; retry later", { policy, retryAfterSeconds });
  }
}

export class ServiceUnavailableError extends ApiError {
  readonly status = 503;
  readonly code = "service_unavailable";
}

/** A user already holds as many open event streams as one API process allows. */
export class TooManyStreamsError extends ApiError {
  readonly status = 429;
  readonly code = "too_many_streams";

  constructor(limit: number) {
    super(`At most ${limit} event streams may be open at once; close one first`, { limit });
  }
}

/** PostgreSQL cannot be reached, or stopped answering: the request may succeed once it is back. */
export class DatabaseUnavailableError extends ApiError {
  readonly status = 503;
  readonly code = "database_unavailable";

  constructor() {
    super("The database is unavailable; retry shortly");
  }
}
