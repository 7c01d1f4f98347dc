import hre from "hardhat";

import { exportContracts } from "./export-contracts.js";

// `npm run build`: after `hardhat build`, regenerate the typed ABI/address file from the fresh artifacts.
const file = await exportContracts(hre);
console.log(`Wrote ${file}`);
