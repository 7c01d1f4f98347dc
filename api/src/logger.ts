import { pino } from "pino";
import type { DestinationStream, Logger } from "pino";

const SECRET_FIELDS = ["password", "passwordHash", "token", "accessToken", "refreshToken", "signature", "secret"];

// pino's paths match fixed depths, so secrets are listed at the top level and nested up to two objects down,
// which covers `{ body: { password } }` and `{ req: { body: { token } } }`.
const REDACT_PATHS = [
  ...["headers", "req.headers", "request.headers"].flatMap((headers) => [
    `${headers}.authorization`,
    `${headers}.cookie`,
    `${headers}["set-cookie"]`,
  ]),
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** The API's JSON logger; secrets in headers and bodies are replaced by `[Redacted]` before a line is written. */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: "api" },
      redact: { paths: REDACT_PATHS },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
