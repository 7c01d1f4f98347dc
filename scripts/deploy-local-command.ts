// `hardhat run scripts/deploy-local-command.ts`: deploys the local stack (Ignition LocalModule) to the Hardhat node at
// AGRIDAO_CHAIN_HOST:AGRIDAO_CHAIN_PORT, funds the local buyers and voters, and writes protocol/generated/contracts.ts. The one-shot
// deployer of docker-compose.yml; `npm run dev` does the same in-process with its own node.
import { rm } from "node:fs/promises";
import path from "node:path";

import hre from "hardhat";

import { LOCAL_ROLES, localParameters } from "../deploy/local.js";
import LocalModule from "../deploy/LocalModule.js";
import { loadDevConfig } from "./dev-config.js";
import { exportContracts } from "./export-contracts.js";
import { fundLocalAccounts } from "./fund-local-accounts.js";

const DEPLOYMENT_ID = "chain-31337";
const config = loadDevConfig();
const rpcUrl = `http://${config.chainHost}:${config.chainPort}`;

const connection = await hre.network.create({ network: "localhost", override: { url: rpcUrl } });
const { ethers, ignition } = connection;
const signers = await ethers.getSigners();
// A node container restarted empty: the journal of the previous deployment describes a chain that is gone. On a node
// that has blocks the deployer ran before: Ignition then finds everything deployed, and the accounts are funded.
const fresh = (await ethers.provider.getBlockNumber()) === 0;
if (fresh) {
  await rm(path.join(hre.config.paths.ignition, "deployments", DEPLOYMENT_ID), { recursive: true, force: true });
}
console.log(`Deploying AgriDAO to ${rpcUrl}…`);
const deployed = await ignition.deploy(LocalModule, {
  parameters: localParameters(signers.map((s) => s.address)),
  deploymentId: DEPLOYMENT_ID,
  displayUi: false,
});
if (fresh) {
  await fundLocalAccounts(
    {
      usdc: await ethers.getContractAt("MockUSDC", await deployed.usdc.getAddress()),
      token: await ethers.getContractAt("AgriToken", await deployed.token.getAddress()),
    },
    { buyers: LOCAL_ROLES.buyers.map((i) => signers[i]), voters: LOCAL_ROLES.voters.map((i) => signers[i]) },
  );
}
console.log(`Wrote ${path.relative(process.cwd(), await exportContracts(hre))}`);
await connection.close();
