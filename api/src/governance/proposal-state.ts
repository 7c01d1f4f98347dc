import type { ProposalState } from "../../../protocol/governance/proposal-states.js";

/** What the state of a proposal depends on, as the indexer records it. */
export interface ProposalFacts {
  voteStart: bigint;
  /** The vote end, or the later deadline a late quorum set. */
  deadline: bigint;
  forVotes: bigint;
  againstVotes: bigint;
  abstainVotes: bigint;
  queued: boolean;
  executed: boolean;
  canceled: boolean;
}

/**
 * The state `AgriGovernor.state()` reports when its clock reads `now` (Governor + GovernorTimelockControl +
 * GovernorCountingSimple): pending while `now <= voteStart`, active while `now <= deadline`, then defeated unless
 * For + Abstain reach `quorum` and For beats Against. `quorum` is the quorum at the snapshot; it is only consulted
 * once the vote closed, when the snapshot is in the past and its quorum is fixed.
 */
export function proposalState(facts: ProposalFacts, now: bigint, quorum: () => bigint): ProposalState {
  if (facts.executed) return "executed";
  if (facts.canceled) return "canceled";
  if (facts.voteStart >= now) return "pending";
  if (facts.deadline >= now) return "active";
  const quorumReached = facts.forVotes + facts.abstainVotes >= quorum();
  if (!quorumReached || facts.forVotes <= facts.againstVotes) return "defeated";
  return facts.queued ? "queued" : "succeeded";
}
