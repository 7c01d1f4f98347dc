import type pg from "pg";

/**
 * Makes `pool` take back a client that finished connecting after `end()` was called: the one that asked for it never
 * gets it.
 *
 * Why: Kysely's PostgresDriver, under MikroORM, forgets its pool before ending it (`destroy()`), so a connection being
 * made at that moment (the first one, which MikroORM opens to check the database exists as soon as anything touches the
 * ORM: the app's pool metrics do at start-up; or a request's) is handed to a driver that can no longer take it (it
 * fails with "Cannot read properties of undefined"), and nobody ever released that client: pg-pool's `end()`, and with
 * it `orm.close()`, waited for it forever. Released with an error once its requester had its turn, it is ended and
 * dropped, and `end()` finishes. Kysely is the pool's only user, and never takes a client after `end()`.
 */
export function releaseClientsOrphanedByEnd(pool: pg.Pool): void {
  const checkedOut = new WeakSet<pg.PoolClient>();
  pool.on("release", (_error, client) => checkedOut.delete(client));
  pool.on("acquire", (client) => {
    checkedOut.add(client);
    if (!pool.ending) return;
    // After the requester's continuation (microtasks) has run: the pool sets `release` right after this event.
    setImmediate(() => {
      if (checkedOut.has(client)) client.release(new Error("the pool was ended while this client was connecting"));
    });
  });
}
