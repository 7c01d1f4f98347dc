/**
 * SQLSTATEs of PostgreSQL refusing or ending the work rather than the request being wrong: class 08 (connection
 * exceptions) is matched by prefix; statement_timeout (57014), idle_in_transaction_session_timeout (25P03), a
 * shutdown (57P01, 57P02), a server still starting (57P03), and no connection slot left (53300).
 */
const UNAVAILABLE_SQLSTATES = new Set(["57014", "25P03", "57P01", "57P02", "57P03", "53300"]);

/** Socket errors of a server that is down or unreachable. */
const UNREACHABLE_SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH"]);

/**
 * What `pg` and `pg-pool` say, with no code, when a connection timed out or died: no answer within query_timeout, no
 * connection within connectionTimeoutMillis, the socket closed, a client closed after such an error; and
 * releaseDeadPoolClients's own message.
 */
const UNAVAILABLE_MESSAGES = [
  "Query read timeout",
  "timeout exceeded when trying to connect",
  "Connection terminated",
  "is not queryable",
  "the database connection ended while the client was checked out",
];

/**
 * Whether `error` (as thrown by MikroORM, Kysely or pg, possibly wrapped in `cause`s) says the database is
 * unreachable or stopped answering, rather than that the query was wrong.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") {
      if (code.startsWith("08") || UNAVAILABLE_SQLSTATES.has(code) || UNREACHABLE_SOCKET_CODES.has(code)) return true;
    }
    if (UNAVAILABLE_MESSAGES.some((message) => current instanceof Error && current.message.includes(message))) {
      return true;
    }
  }
  return false;
}
