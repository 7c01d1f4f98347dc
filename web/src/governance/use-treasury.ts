import { useQuery } from "@tanstack/react-query";
import { erc20Abi } from "viem";
import type { Address } from "viem";
import { usePublicClient } from "wagmi";

import type { GovernanceParameters } from "../../../protocol/api/governance";
import { GOVERNANCE_KEY } from "./use-governance-queries";

/** One asset the treasury (the timelock) holds: ETH (token null), AGRI or a payment token. */
export interface TreasuryAsset {
  token: Address | null;
  symbol: string;
  decimals: number;
  balance: bigint;
}

/** The timelock's ETH, AGRI and payment-token balances, read from the chain (symbols and decimals included). */
export function useTreasury(parameters: GovernanceParameters | undefined) {
  const client = usePublicClient();
  return useQuery({
    queryKey: [GOVERNANCE_KEY, "treasury", parameters?.governor.timelock, parameters?.platform.paymentTokens],
    enabled: parameters !== undefined && client !== undefined,
    refetchInterval: 10_000,
    queryFn: async (): Promise<TreasuryAsset[]> => {
      const { timelock, token } = parameters!.governor;
      const tokens = [token, ...parameters!.platform.paymentTokens.filter((address) => address !== token)];
      const eth = await client!.getBalance({ address: timelock });
      const erc20s = await Promise.all(
        tokens.map(async (address) => {
          const [symbol, decimals, balance] = await Promise.all([
            client!.readContract({ address, abi: erc20Abi, functionName: "symbol" }),
            client!.readContract({ address, abi: erc20Abi, functionName: "decimals" }),
            client!.readContract({ address, abi: erc20Abi, functionName: "balanceOf", args: [timelock] }),
          ]);
          return { token: address, symbol, decimals, balance };
        }),
      );
      return [{ token: null, symbol: "ETH", decimals: 18, balance: eth }, ...erc20s];
    },
  });
}
