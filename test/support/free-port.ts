import { createServer } from "node:net";

/** Listens on `port` (0 for any free one) on loopback and closes again, resolving the port: proof nobody holds it. */
export function freePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("the probe server has no TCP address")),
      );
    });
  });
}
