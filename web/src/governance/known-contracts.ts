import type { KnownContract } from "../../../api/src/services/describe-proposal-action";
import type { GovernanceParameters } from "./governance-api-types";
import type { TreasuryAsset } from "./use-treasury";

/**
 * The platform's contracts as the API's action decoder knows them, so a builder's preview reads exactly as the
 * proposal page will. The payment tokens other than AGRI are the stablecoin(s), whose symbol the chain told us.
 */
export function knownContracts(parameters: GovernanceParameters, assets: readonly TreasuryAsset[]): KnownContract[] {
  const { governor, platform } = parameters;
  const contracts: KnownContract[] = [
    { name: "AgriGovernor", address: governor.address },
    { name: "AgriTimelock", address: governor.timelock },
    { name: "AgriToken", address: governor.token, token: { symbol: "AGRI", decimals: 18 } },
  ];
  if (platform.escrow !== null) contracts.push({ name: "MarketplaceEscrow", address: platform.escrow });
  for (const asset of assets) {
    if (asset.token === null || asset.token === governor.token) continue;
    contracts.push({
      name: "MockUSDC",
      address: asset.token,
      token: { symbol: asset.symbol, decimals: asset.decimals },
    });
  }
  return contracts;
}
