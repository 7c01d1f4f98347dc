import type pg from "pg";

/**
 * Makes every client of `pool` close its connection once a query got no answer within pg's `query_timeout` (the
 * connection went silent: a network partition, a dropped NAT entry).
 *
 * Why: pg rejects such a query but keeps the connection, still waiting for the lost answer, and queues every later
 * query behind it; the transaction's ROLLBACK then never runs, so Kysely never releases the client (see
 * releaseDeadPoolClients) and the pool would fill with silent connections. Ended, the client's `end` event hands it
 * back through releaseDeadPoolClients, or pg-pool drops it on release, and the next caller gets a fresh connection.
 * Only promise-returning queries are watched, which is how Kysely, under MikroORM, queries.
 */
export function endSilentPoolClients(pool: pg.Pool): void {
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    const watched = (...args: unknown[]): unknown => {
      const result = query(...args);
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          if (error instanceof Error && error.message === "Query read timeout") {
            // With the timed-out query still active, end() destroys the socket instead of saying goodbye on it.
            client.end().catch(() => undefined);
          }
        });
      }
      return result;
    };
    client.query = watched as typeof client.query;
  });
}
