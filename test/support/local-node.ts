import { rm } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";

import hre from "hardhat";

/**
 * A Hardhat node of its own, served over JSON-RPC on a free port, and a connection to it: what the indexer sees
 * in production is an HTTP endpoint, so its tests talk to one too.
 */
export async function startLocalNode() {
  const server = await hre.network.createServer("hardhat", "127.0.0.1", 0);
  const { port } = await server.listen();
  const url = `http://127.0.0.1:${port}`;
  const connection = await hre.network.create({ network: "localhost", override: { url } });
  // Ignition journals HTTP deployments on disk by id; a random id keeps parallel test files apart.
  const deploymentId = `test-${randomBytes(6).toString("hex")}`;
  return {
    url,
    connection,
    deploymentId,
    async stop() {
      await connection.close();
      await server.close();
      await rm(path.join(hre.config.paths.ignition, "deployments", deploymentId), { recursive: true, force: true });
    },
  };
}
