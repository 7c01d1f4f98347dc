import { pino } from "pino";
import type { DestinationStream, Logger } from "pino";

const SECRET_FIELDS = new Set([
  "password",
  "passwordHash",
  "token",
  "accessToken",
  "refreshToken",
  "signature",
  "secret",
]);
/** Header names (Node lowercases them) whose values are credentials, redacted inside any `headers` object. */
const SECRET_HEADERS = new Set(["authorization", "cookie", "set-cookie"]);
/** The logged object itself and two objects down: `{ body: { password } }`, `{ req: { headers: { cookie } } }`. */
const REDACTED_DEPTH = 3;
const CENSOR = "[Redacted]";

/**
 * The logged object with secret fields replaced by `[Redacted]`, copying only the objects that hold one, so the
 * caller's objects are never changed. Errors are left whole (the `err` serializer needs their own prototype).
 * Written here rather than with pino's `redact` paths: those cost ~25 µs per line for this list (wildcards at two
 * depths), more than the rest of a cached request, while one pass over the keys costs about one.
 */
export function redactSecrets<T extends object>(value: T, depth = 1, inHeaders = false): T {
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    let replacement = field;
    if (SECRET_FIELDS.has(key) || (inHeaders && SECRET_HEADERS.has(key))) {
      replacement = CENSOR;
    } else if (depth < REDACTED_DEPTH && typeof field === "object" && field !== null && !(field instanceof Error)) {
      replacement = redactSecrets(field, depth + 1, key === "headers");
    }
    if (replacement === field) continue;
    copy ??= Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) };
    (copy as Record<string, unknown>)[key] = replacement;
  }
  return (copy as T | undefined) ?? value;
}

/** The API's JSON logger; secrets in headers and bodies are replaced by `[Redacted]` before a line is written. */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: "api" },
      formatters: { log: (object) => redactSecrets(object) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
