import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { network } from "hardhat";

import { LOCAL_ROLES, localParameters } from "../../deploy/local.js";
import LocalModule from "../../deploy/LocalModule.js";

type Connection = Awaited<ReturnType<typeof network.create>>;

/**
 * Deploys the whole local stack through the real Ignition module, exactly as `npm run dev` does, and returns
 * typed contracts plus the cast of local accounts. Use it inside `networkHelpers.loadFixture`. Over HTTP, Ignition
 * keeps a journal per `deploymentId` on disk, so a test against its own node passes an id nobody else uses.
 */
export async function deployLocal(connection: Connection, options: { deploymentId?: string } = {}) {
  const { ethers, ignition } = connection;
  const signers = await ethers.getSigners();
  const deployed = await ignition.deploy(LocalModule, {
    parameters: localParameters(signers.map((s) => s.address)),
    deploymentId: options.deploymentId,
  });
  const deployer = signers[LOCAL_ROLES.deployer];
  const addressOf = (contract: { getAddress(): Promise<string> }) => contract.getAddress();

  return {
    escrow: await ethers.getContractAt("MarketplaceEscrow", await addressOf(deployed.escrow), deployer),
    token: await ethers.getContractAt("AgriToken", await addressOf(deployed.token), deployer),
    governor: await ethers.getContractAt("AgriGovernor", await addressOf(deployed.governor), deployer),
    timelock: await ethers.getContractAt("AgriTimelock", await addressOf(deployed.timelock), deployer),
    usdc: await ethers.getContractAt("MockUSDC", await addressOf(deployed.usdc), deployer),
    ethUsdFeed: await ethers.getContractAt("MockPriceFeed", await addressOf(deployed.ethUsdFeed), deployer),
    accounts: localAccounts(signers),
  };
}

/** Hardhat's well-known accounts, named by the part they play (see deploy/local.ts). */
export function localAccounts(signers: HardhatEthersSigner[]) {
  const used = new Set<number>([
    LOCAL_ROLES.deployer,
    LOCAL_ROLES.arbiter,
    ...LOCAL_ROLES.farmers,
    ...LOCAL_ROLES.buyers,
    ...LOCAL_ROLES.voters,
  ]);
  return {
    deployer: signers[LOCAL_ROLES.deployer],
    arbiter: signers[LOCAL_ROLES.arbiter],
    farmers: LOCAL_ROLES.farmers.map((i) => signers[i]),
    buyers: LOCAL_ROLES.buyers.map((i) => signers[i]),
    voters: LOCAL_ROLES.voters.map((i) => signers[i]),
    others: signers.filter((_, i) => !used.has(i)),
  };
}
