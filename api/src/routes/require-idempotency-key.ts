import { z } from "zod";

import { ValidationError } from "../errors.js";
import type { ApiContext } from "../http/api-context.js";

/** The header a client names a request by, so that repeating it changes nothing more. */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

/** An Idempotency-Key: 1 to 255 visible ASCII characters, as Stripe and the IETF draft allow. */
const idempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/, {
  error: "expected 1 to 255 visible ASCII characters",
});

/** The request's Idempotency-Key; 400 naming the header when it is missing or malformed. */
export function requireIdempotencyKey(ctx: ApiContext): string {
  const key = idempotencyKey.safeParse(ctx.get(IDEMPOTENCY_KEY_HEADER));
  if (!key.success) {
    const message =
      ctx.get(IDEMPOTENCY_KEY_HEADER) === ""
        ? `the ${IDEMPOTENCY_KEY_HEADER} header is required`
        : key.error.issues[0].message;
    throw new ValidationError("The request is invalid", [{ path: "headers.idempotency-key", message }]);
  }
  return key.data;
}
