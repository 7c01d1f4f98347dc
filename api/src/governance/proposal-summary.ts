import type { z } from "zod";

import type { proposalSummary } from "../../../protocol/api/governance.js";
import { PROPOSAL_STATES } from "../../../protocol/governance/proposal-states.js";
import type { ProposalRow } from "../chain-reads/proposals.js";
import type { GovernanceChain } from "./governance-chain.js";
import { proposalState } from "./proposal-state.js";

/** A proposal as lists show it; amounts of votes are AGRI wei as decimal strings, times Unix seconds. */
export type ProposalSummary = z.input<typeof proposalSummary>;

/** The indexed proposal with what must be current from the chain: its state at `now`, the quorum, executability. */
export async function summarizeProposal(
  chain: GovernanceChain,
  row: ProposalRow,
  now: bigint,
): Promise<ProposalSummary> {
  const voteStart = BigInt(row.vote_start);
  const deadline = BigInt(row.extended_deadline ?? row.vote_end);
  const votes = {
    for: BigInt(row.for_votes),
    against: BigInt(row.against_votes),
    abstain: BigInt(row.abstain_votes),
  };
  // The snapshot's quorum is fixed once the snapshot is past; before, the best estimate is the quorum now.
  const quorum = await chain.quorumAt(voteStart < now ? voteStart : now - 1n);
  const computed = proposalState(
    {
      voteStart,
      deadline,
      forVotes: votes.for,
      againstVotes: votes.against,
      abstainVotes: votes.abstain,
      queued: row.queued,
      executed: row.executed,
      canceled: row.canceled,
    },
    now,
    () => quorum,
  );
  // Anyone may execute a queued operation on the timelock directly, which the governor reports as executed
  // without emitting ProposalExecuted; only the chain can tell a queued proposal from such a one.
  const state = computed === "queued" ? PROPOSAL_STATES[await chain.proposalState(BigInt(row.proposal_id))] : computed;
  const counted = votes.for + votes.abstain;
  return {
    id: row.proposal_id,
    proposer: row.proposer,
    title: titleOf(row.description),
    state,
    voteStart: row.vote_start,
    voteEnd: deadline.toString(),
    extendedDeadline: row.extended_deadline,
    votes: { for: row.for_votes, against: row.against_votes, abstain: row.abstain_votes },
    quorum: quorum.toString(),
    quorumProgressBps: quorum === 0n ? 10_000 : Number(counted >= quorum ? 10_000n : (counted * 10_000n) / quorum),
    eta: row.eta,
    executable: state === "queued" && row.eta !== null && BigInt(row.eta) <= now,
    createdBlock: row.created_block,
    createdTx: row.created_tx,
  };
}

function titleOf(description: string): string {
  const first = description.split("\n").find((line) => line.trim() !== "") ?? "";
  return first.replace(/^\s*#+\s*/, "").trim();
}
