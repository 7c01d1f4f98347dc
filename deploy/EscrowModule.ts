import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";
import type { ArgumentType, ContractFuture } from "@nomicfoundation/ignition-core";

import GovernanceModule from "./GovernanceModule.js";

const DAY = 24 * 60 * 60;

/**
 * Adds a MarketplaceEscrow administered by `timelock`, which is also the treasury that collects the fees.
 * Shared by the live module below and the local module, which allow-lists its MockUSDC from the start.
 */
export function addEscrow(m: IgnitionModuleBuilder, timelock: ContractFuture<string>, paymentTokens: ArgumentType) {
  const terms = {
    feeBps: m.getParameter("feeBps", 250),
    shipWindow: m.getParameter("shipWindow", 7 * DAY),
    confirmWindow: m.getParameter("confirmWindow", 7 * DAY),
    arbitrationTimeout: m.getParameter("arbitrationTimeout", 14 * DAY),
  };
  const guardian = m.getParameter("guardian", m.getAccount(0));
  const arbiters = m.getParameter<string[]>("arbiters", []);
  return m.contract("MarketplaceEscrow", [timelock, timelock, guardian, arbiters, terms, paymentTokens]);
}

/** The escrow for a live network: payment tokens come from the `paymentTokens` parameter. */
export default buildModule("Escrow", (m) => {
  const governance = m.useModule(GovernanceModule);
  const escrow = addEscrow(m, governance.timelock, m.getParameter<string[]>("paymentTokens", []));
  return { escrow, ...governance };
});
