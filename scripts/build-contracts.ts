import hre from "hardhat";

import { exportContracts } from "./export-contracts.js";

// `npm run build`: after `hardhat build`, regenerate the typed ABI/address file from the fresh artifacts. The local
// chain's deployments are left out: they belong to a node that is gone (an earlier `npm run dev`, a test's), and
// everything importing the file (the tests among them) would take that dead chain's escrow and price feed as its own.
const file = await exportContracts(hre, { localChain: false });
console.log(`Wrote ${file}`);
