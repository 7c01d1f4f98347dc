import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { exportContracts, readDeployments } from "./export-contracts.js";
import type { ChainDeployment, ExportSource } from "./export-contracts.js";

/** Where a stack on a chain of its own keeps that chain's deployment, and the files its processes read it from. */
export interface LocalChainFiles {
  /** The generated file's twin with this chain's addresses only: the web app's AGRIDAO_CONTRACTS_FILE. */
  contractsFile: string;
  /** The deployment as JSON (`{ chainId, startBlock, addresses }`): the indexer's INDEXER_DEPLOYMENT_FILE. */
  deploymentFile: string;
  deployment: ChainDeployment;
}

/**
 * Moves Ignition's journal of `deploymentId` out of deploy/deployments into `dir`, and writes there the files a stack
 * on a chain of its own (`npm run dev`, a browser test's node) gives its processes instead of
 * protocol/generated/contracts.ts. The shared generated file never names such a chain: it dies with its node, and
 * everything built or tested later would take its contracts for theirs.
 */
export async function exportLocalChain(
  hre: ExportSource & { config: { paths: { ignition: string } } },
  { deploymentId, dir: given }: { deploymentId: string; dir: string },
): Promise<LocalChainFiles> {
  // Absolute, since the files are handed to processes that may run elsewhere.
  const dir = path.resolve(given);
  const journal = path.join(hre.config.paths.ignition, "deployments", deploymentId);
  const deploymentsDir = path.join(dir, "deployments");
  await mkdir(deploymentsDir, { recursive: true });
  await cp(journal, path.join(deploymentsDir, deploymentId), { recursive: true });
  await rm(journal, { recursive: true, force: true });
  const [deployment, ...others] = await readDeployments(deploymentsDir);
  if (deployment === undefined || others.length > 0) {
    throw new Error(`${deploymentsDir} must hold exactly one chain's deployment: ${deploymentId}'s`);
  }
  const contractsFile = await exportContracts(hre, { outFile: path.join(dir, "contracts.ts"), deploymentsDir });
  const deploymentFile = path.join(dir, "deployment.json");
  await writeFile(deploymentFile, JSON.stringify(deployment));
  return { contractsFile, deploymentFile, deployment };
}
