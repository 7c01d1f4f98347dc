import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

const DAY = 24 * 60 * 60;

/**
 * AGRI token, timelock (treasury) and governor. Defaults are for a live network; local chains pass short periods
 * through `deploy/parameters/local.json`.
 *
 * The deployer administers the timelock only long enough to make the governor its sole proposer and canceller,
 * then renounces; from then on only passed proposals can change anything.
 */
export default buildModule("Governance", (m) => {
  const deployer = m.getAccount(0);

  const timelockDelay = m.getParameter("timelockDelay", 2 * DAY);
  const votingDelay = m.getParameter("votingDelay", 1 * DAY);
  const votingPeriod = m.getParameter("votingPeriod", 5 * DAY);
  const proposalThreshold = m.getParameter("proposalThreshold", 100_000n * 10n ** 18n);
  const quorumPercent = m.getParameter("quorumPercent", 4);
  const lateQuorumExtension = m.getParameter("lateQuorumExtension", 1 * DAY);
  const treasurySupply = m.getParameter("treasurySupply", 100_000_000n * 10n ** 18n);
  // No default: if the treasury held every token, nobody could reach the proposal threshold and the DAO would be
  // born unable to act. A deployment must name its initial holders.
  const allocationRecipients = m.getParameter<string[]>("allocationRecipients");
  const allocationAmounts = m.getParameter<string[]>("allocationAmounts");

  // Anyone may execute a passed, queued proposal: address(0) in the executors list.
  const timelock = m.contract("AgriTimelock", [
    timelockDelay,
    [],
    ["0x0000000000000000000000000000000000000000"],
    deployer,
  ]);
  const token = m.contract("AgriToken", [timelock, treasurySupply, allocationRecipients, allocationAmounts]);
  const governor = m.contract("AgriGovernor", [
    token,
    timelock,
    votingDelay,
    votingPeriod,
    proposalThreshold,
    quorumPercent,
    lateQuorumExtension,
  ]);

  const proposerRole = m.staticCall(timelock, "PROPOSER_ROLE", [], 0, { id: "proposerRole" });
  const cancellerRole = m.staticCall(timelock, "CANCELLER_ROLE", [], 0, { id: "cancellerRole" });
  const adminRole = m.staticCall(timelock, "DEFAULT_ADMIN_ROLE", [], 0, { id: "adminRole" });
  const grantProposer = m.call(timelock, "grantRole", [proposerRole, governor], { id: "grantProposer" });
  const grantCanceller = m.call(timelock, "grantRole", [cancellerRole, governor], { id: "grantCanceller" });
  m.call(timelock, "renounceRole", [adminRole, deployer], {
    id: "renounceAdmin",
    after: [grantProposer, grantCanceller],
  });

  return { token, timelock, governor };
});
