import { encodeFunctionData, keccak256, toBytes } from "viem";
import type { Address, Hex } from "viem";

import type { ContractCall } from "../contract-call.js";
import { agriGovernorAbi } from "../generated/contracts.js";

const abi = agriGovernorAbi;

/** A proposal's calls, as Governor.propose takes them, and its Markdown description. */
export interface ProposalCalls {
  targets: readonly Address[];
  values: readonly bigint[];
  calldatas: readonly Hex[];
  description: string;
}

type ProposalArgs = { targets: Address[]; values: bigint[]; calldatas: Hex[] };

/** queue and execute name the proposal by its calls and the hash of its description, as propose made its id. */
function byDescriptionHash<Name extends "queue" | "execute">(functionName: Name) {
  // Either of the two, as encodeFunctionData takes it.
  const name: "queue" | "execute" = functionName;
  return (
    governor: Address,
    proposal: ProposalCalls,
  ): ContractCall<Name, ProposalArgs & { descriptionHash: Hex }, 0n> => {
    const targets = [...proposal.targets];
    const values = [...proposal.values];
    const calldatas = [...proposal.calldatas];
    const descriptionHash = keccak256(toBytes(proposal.description));
    return {
      to: governor,
      data: encodeFunctionData({
        abi,
        functionName: name,
        args: [targets, values, calldatas, descriptionHash],
      }),
      value: 0n,
      functionName,
      args: { targets, values, calldatas, descriptionHash },
    };
  };
}

/** A vote's choice: GovernorCountingSimple.VoteType's value (protocol/governance/vote-supports.ts). */
type Vote = { proposalId: bigint; support: number };

/**
 * One builder per AgriGovernor action: propose, queue and execute a proposal, and vote: from the voter's wallet
 * (castVote, castVoteWithReason) or as a ballot the voter signed (EIP-712, protocol/governance/ballot-types.ts) that
 * someone else sends (castVoteBySig, castVoteWithReasonAndParamsBySig).
 */
export const governorCalls = {
  propose(
    governor: Address,
    proposal: ProposalCalls,
  ): ContractCall<"propose", ProposalArgs & { description: string }, 0n> {
    const targets = [...proposal.targets];
    const values = [...proposal.values];
    const calldatas = [...proposal.calldatas];
    const { description } = proposal;
    return {
      to: governor,
      data: encodeFunctionData({ abi, functionName: "propose", args: [targets, values, calldatas, description] }),
      value: 0n,
      functionName: "propose",
      args: { targets, values, calldatas, description },
    };
  },

  queue: byDescriptionHash("queue"),
  execute: byDescriptionHash("execute"),

  castVote(governor: Address, vote: Vote): ContractCall<"castVote", Vote, 0n> {
    const { proposalId, support } = vote;
    return {
      to: governor,
      data: encodeFunctionData({ abi, functionName: "castVote", args: [proposalId, support] }),
      value: 0n,
      functionName: "castVote",
      args: { proposalId, support },
    };
  },

  castVoteWithReason(
    governor: Address,
    vote: Vote & { reason: string },
  ): ContractCall<"castVoteWithReason", Vote & { reason: string }, 0n> {
    const { proposalId, support, reason } = vote;
    return {
      to: governor,
      data: encodeFunctionData({ abi, functionName: "castVoteWithReason", args: [proposalId, support, reason] }),
      value: 0n,
      functionName: "castVoteWithReason",
      args: { proposalId, support, reason },
    };
  },

  /** A Ballot `voter` signed, sent by anyone. */
  castVoteBySig(
    governor: Address,
    ballot: Vote & { voter: Address; signature: Hex },
  ): ContractCall<"castVoteBySig", Vote & { voter: Address; signature: Hex }, 0n> {
    const { proposalId, support, voter, signature } = ballot;
    return {
      to: governor,
      data: encodeFunctionData({ abi, functionName: "castVoteBySig", args: [proposalId, support, voter, signature] }),
      value: 0n,
      functionName: "castVoteBySig",
      args: { proposalId, support, voter, signature },
    };
  },

  /** An ExtendedBallot `voter` signed with a reason (and `params`, empty for GovernorCountingSimple), sent by anyone. */
  castVoteWithReasonAndParamsBySig(
    governor: Address,
    ballot: Vote & { voter: Address; reason: string; params: Hex; signature: Hex },
  ): ContractCall<
    "castVoteWithReasonAndParamsBySig",
    Vote & { voter: Address; reason: string; params: Hex; signature: Hex },
    0n
  > {
    const { proposalId, support, voter, reason, params, signature } = ballot;
    return {
      to: governor,
      data: encodeFunctionData({
        abi,
        functionName: "castVoteWithReasonAndParamsBySig",
        args: [proposalId, support, voter, reason, params, signature],
      }),
      value: 0n,
      functionName: "castVoteWithReasonAndParamsBySig",
      args: { proposalId, support, voter, reason, params, signature },
    };
  },
};
