import { writeFile } from "node:fs/promises";

import hre from "hardhat";

import { contractsFingerprint, fingerprintFile } from "./contracts-fingerprint.js";
import { exportContracts } from "./export-contracts.js";

// `npm run build` (and scripts/ensure-contracts.ts, when the file is missing or out of date): after the compilation,
// regenerate the typed ABI/address file from the fresh artifacts. The local chain's deployments are left out: they
// belong to a node that is gone (an earlier `npm run dev`, a test's), and everything importing the file (the tests
// among them) would take that dead chain's escrow and price feed as its own.
const fingerprint = await contractsFingerprint();
const file = await exportContracts(hre, { localChain: false });
await writeFile(fingerprintFile(), `${fingerprint}\n`);
console.log(`Wrote ${file}`);
