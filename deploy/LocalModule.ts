import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { addEscrow } from "./EscrowModule.js";
import GovernanceModule from "./GovernanceModule.js";

/** Everything on a local chain: governance, MockUSDC, and the escrow with MockUSDC allow-listed. */
export default buildModule("Local", (m) => {
  const governance = m.useModule(GovernanceModule);
  const usdc = m.contract("MockUSDC");
  const escrow = addEscrow(m, governance.timelock, [usdc]);
  return { escrow, usdc, ...governance };
});
