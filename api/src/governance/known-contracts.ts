import type { Address } from "viem";

import type { KnownContract } from "../../../protocol/governance/describe-proposal-action.js";
import { platformContracts } from "../../../protocol/governance/platform-contracts.js";
import { mockUSDCAbi } from "../../../protocol/generated/contracts.js";
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
    const stablecoins = [];
    if (stablecoin !== undefined) {
      stablecoinSymbol ??= chain.client
        .readContract({ address: stablecoin.address, abi: mockUSDCAbi, functionName: "symbol" })
        .catch((error: unknown) => {
          stablecoinSymbol = undefined;
          throw error;
        });
      stablecoins.push({ ...stablecoin, symbol: await stablecoinSymbol });
    }
    return platformContracts({
      governor: chain.governorAddress,
      timelock: settings.timelockAddress,
      token: settings.tokenAddress,
      escrow: escrowAddress ?? null,
      stablecoins,
    });
  };
}
