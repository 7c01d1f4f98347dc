import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { addEscrow } from "./EscrowModule.js";
import GovernanceModule from "./GovernanceModule.js";

/** 3000 USD per ETH with a Chainlink ETH / USD feed's 8 decimals: a realistic price for local checkouts. */
export const LOCAL_ETH_USD_PRICE = 3_000n * 10n ** 8n;

/**
 * Everything on a local chain: governance, MockUSDC, the escrow with MockUSDC allow-listed (ETH, token address(0),
 * the escrow always accepts), and a mock ETH / USD price feed, so checkout can quote ETH as it would against Chainlink.
 */
export default buildModule("Local", (m) => {
  const governance = m.useModule(GovernanceModule);
  const usdc = m.contract("MockUSDC");
  const escrow = addEscrow(m, governance.timelock, [usdc]);
  const ethUsdFeed = m.contract("MockPriceFeed", [8, "ETH / USD", m.getParameter("ethUsdPrice", LOCAL_ETH_USD_PRICE)]);
  return { escrow, usdc, ethUsdFeed, ...governance };
});
