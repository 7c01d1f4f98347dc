import { createConfig } from "ponder";
import type { Address } from "viem";
import { http } from "viem";

import { agriGovernorAbi, agriTokenAbi, marketplaceEscrowAbi } from "../../protocol/generated/contracts";

// npm run bench:indexer starts this project against its own chain and database, passing both here.
function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is required (set by bench/indexer.ts)`);
  return value;
}

const network = "hardhat" as const;
const startBlock = Number(required("PONDER_START_BLOCK"));

export default createConfig({
  database: { kind: "postgres", connectionString: required("DATABASE_URL") },
  networks: {
    // On a local node neither the 1 s default poll nor the 50 requests/s cap meant for public RPCs applies; the
    // AgriDAO indexer polls every 50 ms in the benchmark (Ponder refuses less than 100).
    hardhat: {
      chainId: 31337,
      transport: http(required("PONDER_RPC_URL")),
      pollingInterval: 100,
      maxRequestsPerSecond: 10_000,
    },
  },
  contracts: {
    MarketplaceEscrow: {
      network,
      abi: marketplaceEscrowAbi,
      address: required("PONDER_ESCROW_ADDRESS") as Address,
      startBlock,
    },
    AgriToken: { network, abi: agriTokenAbi, address: required("PONDER_TOKEN_ADDRESS") as Address, startBlock },
    AgriGovernor: {
      network,
      abi: agriGovernorAbi,
      address: required("PONDER_GOVERNOR_ADDRESS") as Address,
      startBlock,
    },
  },
});
