import { connect, createServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";

/**
 * A TCP proxy on a free loopback port in front of `upstream` (PostgreSQL) that can go silent the way a network
 * partition or a dropped NAT entry does: `blackhole()` stops forwarding on every open connection without closing
 * any (neither side hears a FIN or a reset, and nothing written is ever answered), and holds the connections that
 * arrive meanwhile unanswered. `restore()` forwards new connections again; the blackholed ones stay silent for good,
 * as connections whose NAT entry was dropped do.
 */
export async function startBlackholeProxy(options: { upstream: { host: string; port: number } }) {
  const forwarding = new Set<{ client: Socket; server: Socket }>();
  const silent = new Set<Socket>();
  let blackholed = false;

  function silence(socket: Socket): void {
    socket.pause();
    silent.add(socket);
  }

  function cut(pair: { client: Socket; server: Socket }): void {
    pair.client.unpipe(pair.server);
    pair.server.unpipe(pair.client);
    silence(pair.client);
    silence(pair.server);
    forwarding.delete(pair);
  }

  // Half-open allowed, so that an end on one side is never passed on as a close of the other once silent.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    client.on("error", () => undefined);
    if (blackholed) {
      silence(client);
      return;
    }
    const upstream = connect({ ...options.upstream, allowHalfOpen: true });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    const pair = { client, server: upstream };
    forwarding.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const forget = () => {
      if (forwarding.delete(pair)) {
        client.destroy();
        upstream.destroy();
      }
    };
    client.on("close", forget);
    upstream.on("close", forget);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    /** Connections open through the proxy and still forwarded. */
    get forwarded() {
      return forwarding.size;
    },
    /** Stops forwarding on every open connection, and forwards none of those that arrive until `restore()`. */
    blackhole() {
      blackholed = true;
      for (const pair of [...forwarding]) cut(pair);
    },
    restore() {
      blackholed = false;
    },
    /** Stops listening and destroys every connection, silent ones included. */
    async close() {
      blackholed = true;
      for (const pair of [...forwarding]) cut(pair);
      for (const socket of silent) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
