/**
 * The local chain's cast: which of Hardhat's well-known accounts plays which part, and the deployment
 * parameters that give them their roles. Used by `npm run dev`, the tests and the benchmarks alike.
 */
export const LOCAL_ROLES = {
  deployer: 0,
  arbiter: 1,
  farmers: [2, 3, 4],
  buyers: [5, 6, 7],
  voters: [8, 9, 10],
} as const;

const AGRI = 10n ** 18n;

/**
 * AGRI each local voter receives at deployment: 10% of the supply, so each voter alone can propose and reach the 4%
 * quorum, which keeps local demos quick; the treasury keeps the remaining 70%.
 */
export const LOCAL_VOTER_AGRI = 10_000_000n * AGRI;

/** Ignition parameters for a local chain, given the node's accounts in their usual order. */
export function localParameters(accounts: readonly string[]) {
  const voters = LOCAL_ROLES.voters.map((i) => accounts[i]);
  return {
    Governance: {
      timelockDelay: 60,
      votingDelay: 1,
      votingPeriod: 300,
      proposalThreshold: (10_000n * AGRI).toString(),
      quorumPercent: 4,
      lateQuorumExtension: 60,
      treasurySupply: (70_000_000n * AGRI).toString(),
      allocationRecipients: voters,
      allocationAmounts: voters.map(() => LOCAL_VOTER_AGRI.toString()),
    },
    Local: {
      feeBps: 250,
      shipWindow: 60 * 60,
      confirmWindow: 60 * 60,
      arbitrationTimeout: 24 * 60 * 60,
      guardian: accounts[LOCAL_ROLES.deployer],
      arbiters: [accounts[LOCAL_ROLES.arbiter]],
    },
  };
}
