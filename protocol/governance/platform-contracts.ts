import type { Address } from "viem";

import { AGRI } from "./agri.js";
import type { KnownContract } from "./describe-proposal-action.js";

/** The addresses of a deployment's contracts and the stablecoins it takes, as a chain or the API tells them. */
export interface PlatformAddresses {
  governor: Address;
  timelock: Address;
  token: Address;
  /** Absent where no escrow is configured. */
  escrow: Address | null;
  stablecoins: readonly { address: Address; symbol: string; decimals: number }[];
}

/**
 * The platform's contracts as describeProposalAction knows them: the governor, its timelock and AGRI, the escrow, and
 * each stablecoin (a MockUSDC on local chains, the same ERC-20 shape elsewhere) with the symbol and decimals its
 * amounts are shown in. The API describes proposals with it and the web's builder previews them with it, alike.
 */
export function platformContracts(addresses: PlatformAddresses): KnownContract[] {
  const contracts: KnownContract[] = [
    { name: "AgriGovernor", address: addresses.governor },
    { name: "AgriTimelock", address: addresses.timelock },
    { name: "AgriToken", address: addresses.token, token: { ...AGRI } },
  ];
  if (addresses.escrow !== null) contracts.push({ name: "MarketplaceEscrow", address: addresses.escrow });
  for (const { address, symbol, decimals } of addresses.stablecoins) {
    contracts.push({ name: "MockUSDC", address, token: { symbol, decimals } });
  }
  return contracts;
}
