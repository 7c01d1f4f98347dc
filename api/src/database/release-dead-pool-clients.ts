import type pg from "pg";

/**
 * Makes `pool` take back a client whose connection ended while it was checked out (the database restarted, or killed
 * the backend, in the middle of a transaction).
 *
 * Why: Kysely, under MikroORM, releases a transaction's client only once its BEGIN, COMMIT or ROLLBACK succeeded
 * (kysely-org/kysely#1990). On a connection the server dropped, all of them fail, so the client stayed checked out
 * for good: after one database restart the pool was full of dead clients, every query waited for a free one forever
 * (the API never recovered), and `orm.close()` hung, since pg-pool's `end()` waits for every client to come back.
 * Released with an error, the dead client is dropped and the next caller gets a fresh connection. Its `release` then
 * does nothing, so a holder that releases it later does not hit pg-pool's double-release error.
 */
export function releaseDeadPoolClients(pool: pg.Pool): void {
  const checkedOut = new WeakSet<pg.PoolClient>();
  pool.on("acquire", (client) => checkedOut.add(client));
  pool.on("release", (_error, client) => checkedOut.delete(client));
  pool.on("connect", (client) => {
    client.once("end", () => {
      // An idle client that ends is removed by the pool itself.
      if (!checkedOut.has(client)) return;
      const release = client.release.bind(client);
      client.release = () => undefined;
      release(new Error("the database connection ended while the client was checked out"));
    });
  });
}
