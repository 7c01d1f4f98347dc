import type { GovernanceParameters } from "../../../protocol/api/governance";
import type { KnownContract } from "../../../protocol/governance/describe-proposal-action";
import { platformContracts } from "../../../protocol/governance/platform-contracts";
import type { TreasuryAsset } from "./use-treasury";

/**
 * The platform's contracts as the API's action decoder knows them, so a builder's preview reads exactly as the
 * proposal page will. The payment tokens other than AGRI are the stablecoin(s), whose symbol the chain told us.
 */
export function knownContracts(parameters: GovernanceParameters, assets: readonly TreasuryAsset[]): KnownContract[] {
  const { governor, platform } = parameters;
  return platformContracts({
    governor: governor.address,
    timelock: governor.timelock,
    token: governor.token,
    escrow: platform.escrow,
    stablecoins: assets.flatMap((asset) =>
      asset.token === null || asset.token === governor.token
        ? []
        : [{ address: asset.token, symbol: asset.symbol, decimals: asset.decimals }],
    ),
  });
}
