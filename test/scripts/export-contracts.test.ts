import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { expect } from "chai";
import { ZeroAddress, id } from "ethers";
import hre from "hardhat";

import { EXPORTED_CONTRACTS, exportContracts } from "../../scripts/export-contracts.js";
import { writeDeployment } from "../support/ignition-deployments.js";

type Constants = Record<string, number | bigint | string | boolean>;

interface GeneratedModule {
  marketplaceEscrowAbi: readonly { type: string; name?: string }[];
  marketplaceEscrowConstants: Constants;
  agriTokenConstants: Constants;
  agriGovernorConstants: Constants;
  agriTimelockConstants: Constants;
  marketplaceEscrowEnums: Record<string, readonly string[]>;
  agriGovernorEnums: Record<string, readonly string[]>;
  iAggregatorV3Enums: Record<string, readonly string[]>;
  deployments: Record<number, { chainId: number; startBlock: number; addresses: Record<string, string> }>;
}

async function generate(deploymentsDir: string, { localChain = true } = {}) {
  const outFile = path.join(await mkdtemp(path.join(tmpdir(), "agridao-generated-")), "contracts.ts");
  await exportContracts(hre, { outFile, deploymentsDir, localChain });
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

  it("exports each contract's public constants, inherited ones included, with the values the deployed contract returns", async () => {
    const { module, outFile } = await generate(path.join(tmpdir(), "agridao-no-deployments"));
    const constants = module.marketplaceEscrowConstants;
    const connection = await hre.network.create("hardhat");
    const { ethers } = connection;
    try {
      const [admin] = await ethers.getSigners();
      const escrow = await ethers.deployContract("MarketplaceEscrow", [
        admin.address,
        admin.address,
        admin.address,
        [admin.address],
        { feeBps: 250, shipWindow: 3_600, confirmWindow: 3_600, arbitrationTimeout: 86_400 },
        [],
      ]);
      // Public constants only: the private BPS and PROPOSED_BY_* stay out.
      expect(Object.keys(constants)).to.deep.equal([
        "ARBITER_ROLE",
        "DEFAULT_ADMIN_ROLE",
        "DEFAULT_SHIPPED_BUYER_BPS",
        "GUARDIAN_ROLE",
        "MAX_ARBITRATION_TIMEOUT",
        "MAX_FEE_BPS",
        "MAX_WINDOW",
        "MIN_ARBITRATION_TIMEOUT",
        "MIN_WINDOW",
      ]);
      for (const [name, value] of Object.entries(constants)) {
        const deployed = (await escrow.getFunction(name).staticCall()) as bigint | string;
        expect(typeof deployed === "bigint" ? BigInt(value) : value, name).to.equal(deployed);
      }
    } finally {
      await connection.close();
    }
    // Narrow integers are numbers, for arithmetic with seconds and basis points; role ids are hex strings.
    expect(constants.MAX_FEE_BPS).to.be.a("number");
    expect(constants.ARBITER_ROLE).to.equal(id("ARBITER_ROLE"));
    expect(module.agriGovernorConstants).to.have.keys("BALLOT_TYPEHASH", "EXTENDED_BALLOT_TYPEHASH");
    expect(module.agriTimelockConstants).to.include.keys("PROPOSER_ROLE", "EXECUTOR_ROLE", "CANCELLER_ROLE");
    // DOMAIN_SEPARATOR and CLOCK_MODE are functions that read the chain, the address or another contract.
    expect(module.agriTokenConstants).to.deep.equal({});
    const source = await readFile(outFile, "utf8");
    expect(source).to.match(/export const marketplaceEscrowConstants = \{\n {2}ARBITER_ROLE: "0x[0-9a-f]{64}",\n/);
    expect(source).to.match(/\n {2}MAX_FEE_BPS: \d+,\n[\s\S]*\} as const;/);
  });

  it("exports each contract's enums, inherited ones included, with each member at the index of its value", async () => {
    const { module, outFile } = await generate(path.join(tmpdir(), "agridao-no-deployments"));
    expect(module.marketplaceEscrowEnums).to.deep.equal({
      OrderState: ["None", "Funded", "Shipped", "Completed", "Refunded", "Disputed", "Resolved"],
      Resolution: ["Settlement", "Ruling", "Timeout"],
    });
    // OpenZeppelin's, declared in IGovernor and GovernorCountingSimple.
    expect(module.agriGovernorEnums).to.have.keys("ProposalState", "VoteType");
    expect(module.agriGovernorEnums.VoteType).to.deep.equal(["Against", "For", "Abstain"]);
    expect(module.iAggregatorV3Enums).to.deep.equal({});
    // The ABI says what the value of a state is: getOrder's `state` of an order just created is Funded.
    const connection = await hre.network.create("hardhat");
    try {
      const [admin, buyer, seller] = await connection.ethers.getSigners();
      const escrow = await connection.ethers.deployContract("MarketplaceEscrow", [
        admin.address,
        admin.address,
        admin.address,
        [admin.address],
        { feeBps: 250, shipWindow: 3_600, confirmWindow: 3_600, arbitrationTimeout: 86_400 },
        [],
      ]);
      const ref = id("enum-test");
      await escrow.connect(buyer).getFunction("createOrder")(seller.address, ZeroAddress, 1_000n, ref, {
        value: 1_000n,
      });
      const order = (await escrow.getFunction("getOrder")(1n)) as { state: bigint };
      expect(module.marketplaceEscrowEnums.OrderState[Number(order.state)]).to.equal("Funded");
    } finally {
      await connection.close();
    }
    const source = await readFile(outFile, "utf8");
    expect(source).to.match(
      /export const marketplaceEscrowEnums = \{\n {2}OrderState: \["None",[^\n]*\],\n[\s\S]*\} as const;/,
    );
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

  it("leaves the local chain's deployments out when asked, as npm run build does: their nodes are gone", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "agridao-deployments-"));
    await writeDeployment(path.join(root, "chain-31337"), 31337, [1], {
      "Local#MarketplaceEscrow": "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853",
    });
    await writeDeployment(path.join(root, "sepolia"), 11155111, [7_000_000], {
      "Escrow#MarketplaceEscrow": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    });

    const { module } = await generate(root, { localChain: false });

    expect(Object.keys(module.deployments)).to.deep.equal(["11155111"]);
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
