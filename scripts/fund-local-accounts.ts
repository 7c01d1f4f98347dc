import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { AgriToken, MockUSDC } from "../types/ethers-contracts/index.js";

/** MockUSDC each local buyer starts with: 10,000 USDC (6 decimals). */
export const LOCAL_BUYER_USDC = 10_000n * 10n ** 6n;

interface LocalCast {
  buyers: readonly HardhatEthersSigner[];
  voters: readonly HardhatEthersSigner[];
}

/**
 * Readies the local accounts for a demo: buyers get MockUSDC, and voters delegate their AGRI to themselves so their
 * votes count (ERC20Votes counts delegated balances only). Every local account already holds 10,000 ETH.
 */
export async function fundLocalAccounts(contracts: { usdc: MockUSDC; token: AgriToken }, cast: LocalCast) {
  for (const buyer of cast.buyers) {
    await (await contracts.usdc.connect(buyer).mint(buyer.address, LOCAL_BUYER_USDC)).wait();
  }
  for (const voter of cast.voters) {
    await (await contracts.token.connect(voter).delegate(voter.address)).wait();
  }
}
