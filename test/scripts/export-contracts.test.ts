import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { expect } from "chai";
import hre from "hardhat";

import { EXPORTED_CONTRACTS, exportContracts } from "../../scripts/export-contracts.js";

interface GeneratedModule {
  marketplaceEscrowAbi: readonly { type: string; name?: string }[];
  deployments: Record<number, { chainId: number; startBlock: number; addresses: Record<string, string> }>;
}

/** Writes an Ignition deployment folder the way Ignition does: a journal and deployed_addresses.json. */
async function writeDeployment(dir: string, chainId: number, blocks: number[], addresses: Record<string, string>) {
  await mkdir(dir, { recursive: true });
  const journal = [
    { chainId, type: "DEPLOYMENT_INITIALIZE" },
    ...blocks.map((blockNumber) => ({ type: "TRANSACTION_CONFIRM", receipt: { blockNumber, status: "SUCCESS" } })),
  ];
  await writeFile(path.join(dir, "journal.jsonl"), journal.map((line) => JSON.stringify(line)).join("\n") + "\n");
  await writeFile(path.join(dir, "deployed_addresses.json"), JSON.stringify(addresses));
}

async function generate(deploymentsDir: string) {
  const outFile = path.join(await mkdtemp(path.join(tmpdir(), "agridao-generated-")), "contracts.ts");
  await exportContracts(hre.artifacts, { outFile, deploymentsDir });
  // The generated file is TypeScript; importing it through the test runner's loader checks that it parses.
  return { outFile, module: (await import(pathToFileURL(outFile).href)) as GeneratedModule };
}

describe("export-contracts (the generated ABI and address file)", () => {
  it("exports each contract's ABI exactly as compiled", async () => {
    const { module } = await generate(path.join(tmpdir(), "agridao-no-deployments"));
    const artifact = await hre.artifacts.readArtifact("MarketplaceEscrow");
    expect(module.marketplaceEscrowAbi).to.deep.equal(artifact.abi);
    expect(module.deployments).to.deep.equal({});
  });

  it("marks every ABI `as const`, so viem infers argument and return types from it", async () => {
    const { outFile } = await generate(path.join(tmpdir(), "agridao-no-deployments"));
    const source = await readFile(outFile, "utf8");
    for (const name of EXPORTED_CONTRACTS) {
      const constName = `${name.charAt(0).toLowerCase()}${name.slice(1)}Abi`;
      expect(source).to.match(new RegExp(`export const ${constName} = \\[.*\\] as const;`));
    }
  });

  it("keys addresses by chain id, names contracts after their future id, and starts at the first mined block", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "agridao-deployments-"));
    await writeDeployment(path.join(root, "chain-31337"), 31337, [5, 3, 9], {
      "Governance#AgriToken": "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
      "Local#MarketplaceEscrow": "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853",
      "Local#SomethingElse": "0x0000000000000000000000000000000000000001",
    });
    await writeDeployment(path.join(root, "sepolia"), 11155111, [7_000_000], {
      "Escrow#MarketplaceEscrow": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    });

    const { module } = await generate(root);

    expect(module.deployments).to.deep.equal({
      31337: {
        chainId: 31337,
        startBlock: 3,
        addresses: {
          AgriToken: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
          MarketplaceEscrow: "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853",
        },
      },
      11155111: {
        chainId: 11155111,
        startBlock: 7_000_000,
        addresses: { MarketplaceEscrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3" },
      },
    });
  });

  it("refuses a journal that does not say which chain it deployed to", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "agridao-deployments-"));
    const dir = path.join(root, "broken");
    await mkdir(dir);
    await writeFile(path.join(dir, "journal.jsonl"), JSON.stringify({ type: "RUN_START" }) + "\n");
    await writeFile(path.join(dir, "deployed_addresses.json"), "{}");

    let failure: unknown;
    try {
      await generate(root);
    } catch (error) {
      failure = error;
    }
    expect(String(failure)).to.match(/does not record the deployment's chain id/);
  });
});
