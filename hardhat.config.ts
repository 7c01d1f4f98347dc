import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { defineConfig } from "hardhat/config";
import { z } from "zod";

const require = createRequire(import.meta.url);

// Pinned together: the version Hardhat is told and the soljson.js the `solc` package ships.
// Hardhat never downloads a compiler this way, which matters on machines without internet.
const SOLC_VERSION = "0.8.30";
const solcPackage = require("solc/package.json") as { version: string };
if (solcPackage.version !== SOLC_VERSION) {
  throw new Error(`npm package solc is ${solcPackage.version}, hardhat.config.ts pins ${SOLC_VERSION}`);
}

// A fixed seed makes fuzz and invariant failures reproducible across machines and CI runs.
const FUZZ_SEED = "0x41677269444130";

// Solidity fuzz and invariant budgets. `ci` is what CI and `npm test` run (and what the gas snapshot matches, since
// fuzz tests record their median gas); `default` is a quicker loop for local work. Hardhat 3.17 resolves only a
// single test profile (named ones came with 3.18, whose EDR builds the npm registry we install from lacks for most
// platforms), so the profile is picked here, by SOLIDITY_TEST_PROFILE.
const SOLIDITY_TEST_PROFILES = {
  default: { fuzz: { runs: 256, seed: FUZZ_SEED }, invariant: { runs: 32, depth: 100 } },
  ci: { isolate: true, fuzz: { runs: 5_000, seed: FUZZ_SEED }, invariant: { runs: 256, depth: 500 } },
};
const profileName = z.enum(["default", "ci"]).default("default").safeParse(process.env.SOLIDITY_TEST_PROFILE);
if (!profileName.success) {
  throw new Error(`SOLIDITY_TEST_PROFILE must be "default" or "ci", got "${process.env.SOLIDITY_TEST_PROFILE}"`);
}

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    version: SOLC_VERSION,
    path: require.resolve("solc/soljson.js"),
    settings: {
      evmVersion: "cancun",
      viaIR: true,
      optimizer: { enabled: true, runs: 10_000 },
    },
  },
  paths: {
    ignition: "deploy",
    tests: { mocha: "test", solidity: "test/contracts" },
  },
  networks: {
    hardhat: { type: "edr-simulated", chainType: "l1", chainId: 31337 },
    localhost: { type: "http", chainType: "l1", url: "http://127.0.0.1:8545" },
  },
  test: {
    mocha: { timeout: 120_000 },
    solidity: SOLIDITY_TEST_PROFILES[profileName.data],
  },
});
