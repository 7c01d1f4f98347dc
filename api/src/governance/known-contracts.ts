import type { Address } from "viem";

import { mockUSDCAbi } from "../../../protocol/generated/contracts.js";
import type { KnownContract } from "../services/describe-proposal-action.js";
import type { GovernanceChain } from "./governance-chain.js";

/**
 * The contracts a proposal's actions are described against: the governor, its timelock and token, and the escrow and
 * stablecoin when configured. The stablecoin's symbol is read from the chain once (again after a failed read).
 */
export function createKnownContracts(deps: {
  chain: GovernanceChain;
  escrowAddress: Address | undefined;
  stablecoin: { address: Address; decimals: number } | undefined;
}): () => Promise<KnownContract[]> {
  const { chain, escrowAddress, stablecoin } = deps;
  let stablecoinSymbol: Promise<string> | undefined;
  return async () => {
    const settings = await chain.settings();
    const contracts: KnownContract[] = [
      { name: "AgriGovernor", address: chain.governorAddress },
      { name: "AgriTimelock", address: settings.timelockAddress },
      { name: "AgriToken", address: settings.tokenAddress, token: { symbol: "AGRI", decimals: 18 } },
    ];
    if (escrowAddress !== undefined) contracts.push({ name: "MarketplaceEscrow", address: escrowAddress });
    if (stablecoin !== undefined) {
      stablecoinSymbol ??= chain.client
        .readContract({ address: stablecoin.address, abi: mockUSDCAbi, functionName: "symbol" })
        .catch((error: unknown) => {
          stablecoinSymbol = undefined;
          throw error;
        });
      const symbol = await stablecoinSymbol;
      contracts.push({
        name: "MockUSDC",
        address: stablecoin.address,
        token: { symbol, decimals: stablecoin.decimals },
      });
    }
    return contracts;
  };
}
