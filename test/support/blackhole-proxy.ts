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
  /** Blackholes once a chunk the client sent matches, right after forwarding that chunk. */
  let trigger: ((chunk: Buffer) => boolean) | undefined;

  function silence(socket: Socket): void {
    socket.pause();
    silent.add(socket);
  }

  function blackhole(): void {
    blackholed = true;
    trigger = undefined;
    for (const pair of forwarding) {
      silence(pair.client);
      silence(pair.server);
    }
    forwarding.clear();
  }

  // Half-open allowed, so that an end on one side is never passed on as a close of the other once silent.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    client.on("error", () => undefined);
    if (blackholed) {
      silence(client);
      return;
    }
    const upstream = connect({ ...options.upstream, allowHalfOpen: true });
    upstream.on("error", () => undefined);
    const pair = { client, server: upstream };
    forwarding.add(pair);
    const live = () => forwarding.has(pair);
    client.on("data", (chunk: Buffer) => {
      if (!live()) return;
      upstream.write(chunk);
      if (trigger?.(chunk) === true) blackhole();
    });
    upstream.on("data", (chunk: Buffer) => {
      if (live()) client.write(chunk);
    });
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ]) {
      from.on("end", () => {
        if (live()) to.end();
      });
      from.on("close", () => {
        if (forwarding.delete(pair)) to.destroy();
      });
    }
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
    blackhole,
    /**
     * Blackholes as soon as the client sends a chunk `match` accepts, once that chunk is forwarded: the server acts
     * on it (it may open a transaction, take a lock), and its answer is lost.
     */
    blackholeAfter(match: (chunk: Buffer) => boolean) {
      trigger = match;
    },
    restore() {
      blackholed = false;
    },
    /** Stops listening and destroys every connection, silent ones included. */
    async close() {
      blackhole();
      for (const socket of silent) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
