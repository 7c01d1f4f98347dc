import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { contractsFingerprint, fingerprintFile, generatedContractsState } from "../../scripts/contracts-fingerprint.js";
import { writeDeployment } from "../support/ignition-deployments.js";

describe("contracts-fingerprint (when npm scripts regenerate protocol/generated/contracts.ts)", () => {
  it("finds the file missing, out of date after a contract or a live deployment changed, and up to date whatever local chains come and go", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "agridao-checkout-"));
    try {
      const source = path.join(root, "contracts", "Escrow.sol");
      await mkdir(path.dirname(source), { recursive: true });
      await writeFile(source, "contract Escrow {}\n");
      await writeFile(path.join(root, "hardhat.config.ts"), "export default {};\n");
      const deployments = path.join(root, "deploy", "deployments");
      const record = async () => writeFile(fingerprintFile(root), `${await contractsFingerprint(root)}\n`);

      // A fresh clone.
      expect(await generatedContractsState(root)).to.equal("missing");
      await mkdir(path.join(root, "protocol", "generated"), { recursive: true });
      await writeFile(path.join(root, "protocol", "generated", "contracts.ts"), "export const deployments = {};\n");
      // A file no build recorded (written before the fingerprint existed, or by hand).
      expect(await generatedContractsState(root)).to.equal("out of date");
      await record();
      expect(await generatedContractsState(root)).to.equal("up to date");

      // A test's node or `npm run dev` deploying to the local chain changes nothing the build exports.
      await writeDeployment(path.join(deployments, "test-0123456789ab"), 31337, [1], {
        "Local#MarketplaceEscrow": "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853",
      });
      expect(await generatedContractsState(root)).to.equal("up to date");
      // Nor does a file's time alone (a clone, a checkout, a touch).
      await utimes(source, new Date(), new Date(Date.now() + 60_000));
      expect(await generatedContractsState(root)).to.equal("up to date");

      await writeDeployment(path.join(deployments, "sepolia"), 11155111, [7_000_000], {
        "Escrow#MarketplaceEscrow": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      });
      expect(await generatedContractsState(root)).to.equal("out of date");
      await record();
      expect(await generatedContractsState(root)).to.equal("up to date");

      await writeFile(source, "contract Escrow { uint256 public constant MAX_FEE_BPS = 1000; }\n");
      expect(await generatedContractsState(root)).to.equal("out of date");
      await record();
      await writeFile(path.join(root, "contracts", "IEscrow.sol"), "interface IEscrow {}\n");
      expect(await generatedContractsState(root)).to.equal("out of date");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
