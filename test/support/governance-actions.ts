import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { formatEther, id } from "ethers";
import type { ContractTransactionResponse } from "ethers";
import type { network } from "hardhat";

import { enumValues } from "../../protocol/enum-values.js";
import { agriGovernorEnums } from "../../protocol/generated/contracts.js";
import type { AgriGovernor, AgriToken } from "../../types/ethers-contracts/index.js";
import { bigintEnumValues } from "./bigint-enum-values.js";

type NetworkHelpers = Awaited<ReturnType<typeof network.create>>["networkHelpers"];

/** IGovernor.ProposalState, as `governor.state()` returns it. */
export const ProposalState = bigintEnumValues(agriGovernorEnums.ProposalState);

/** GovernorCountingSimple's `support` values. */
export const VoteType = enumValues(agriGovernorEnums.VoteType);

/** A proposal as `Governor.propose` takes it. */
export interface Proposal {
  targets: string[];
  values: bigint[];
  calldatas: string[];
  description: string;
}

/** The arguments `queue`, `execute`, `cancel` and `getProposalId` take for `proposal`. */
export function proposalArgs(proposal: Proposal): [string[], bigint[], string[], string] {
  return [proposal.targets, proposal.values, proposal.calldatas, id(proposal.description)];
}

/** Has each voter delegate its AGRI to itself: ERC20Votes counts a balance only once it is delegated. */
export async function delegateToSelf(token: AgriToken, voters: readonly HardhatEthersSigner[]) {
  for (const voter of voters) {
    await (await token.connect(voter).delegate(voter.address)).wait();
  }
}

/** Mines a block later than `timepoint` unless the latest block already is, so the clock has passed it. */
export async function advancePast(networkHelpers: NetworkHelpers, timepoint: bigint | number) {
  const target = BigInt(timepoint) + 1n;
  if (BigInt(await networkHelpers.time.latest()) < target) {
    await networkHelpers.time.increaseTo(target);
  }
}

/** Submits `proposal` from `proposer` and returns the proposal's id. */
export async function propose(governor: AgriGovernor, proposer: HardhatEthersSigner, proposal: Proposal) {
  const { targets, values, calldatas, description } = proposal;
  await (await governor.connect(proposer).propose(targets, values, calldatas, description)).wait();
  return governor.getProposalId(...proposalArgs(proposal));
}

/** Advances past the proposal's snapshot, which opens its vote. */
export async function openVoting(networkHelpers: NetworkHelpers, governor: AgriGovernor, proposalId: bigint) {
  await advancePast(networkHelpers, await governor.proposalSnapshot(proposalId));
}

/** Advances past the proposal's deadline (as extended by a late quorum), which closes its vote. */
export async function closeVoting(networkHelpers: NetworkHelpers, governor: AgriGovernor, proposalId: bigint) {
  await advancePast(networkHelpers, await governor.proposalDeadline(proposalId));
}

/** Casts the same `support` for each voter in turn. */
export async function castVotes(
  governor: AgriGovernor,
  proposalId: bigint,
  voters: readonly HardhatEthersSigner[],
  support: number = VoteType.For,
) {
  for (const voter of voters) {
    await (await governor.connect(voter).castVote(proposalId, support)).wait();
  }
}

/** Everything needed to take a proposal through governance; the first voter proposes. */
export interface GovernanceRun {
  governor: AgriGovernor;
  networkHelpers: NetworkHelpers;
  voters: readonly HardhatEthersSigner[];
  proposal: Proposal;
}

/** Proposes, has every voter vote For, closes the vote and returns the id; throws unless the proposal Succeeded. */
export async function passProposal({ governor, networkHelpers, voters, proposal }: GovernanceRun) {
  const proposalId = await propose(governor, voters[0], proposal);
  await openVoting(networkHelpers, governor, proposalId);
  await castVotes(governor, proposalId, voters, VoteType.For);
  await closeVoting(networkHelpers, governor, proposalId);
  const state = await governor.state(proposalId);
  if (state !== ProposalState.Succeeded) {
    // Spelled out because a bare "expected 3 to equal 4" hides that the voters simply cannot reach quorum.
    const { forVotes, abstainVotes, againstVotes } = await governor.proposalVotes(proposalId);
    const quorum = await governor.quorum(await governor.proposalSnapshot(proposalId));
    throw new Error(
      `proposal "${proposal.description}" ended in state ${state}, not Succeeded: ` +
        `for ${formatEther(forVotes)} + abstain ${formatEther(abstainVotes)} AGRI against a quorum of ` +
        `${formatEther(quorum)} AGRI (against ${formatEther(againstVotes)})`,
    );
  }
  return proposalId;
}

/** Queues a Succeeded proposal in the timelock and returns its eta. */
export async function queueProposal(governor: AgriGovernor, proposal: Proposal) {
  await (await governor.queue(...proposalArgs(proposal))).wait();
  return governor.proposalEta(await governor.getProposalId(...proposalArgs(proposal)));
}

/** Advances to the eta of a queued proposal, from when the timelock lets it execute. */
export async function waitForEta(networkHelpers: NetworkHelpers, governor: AgriGovernor, proposalId: bigint) {
  await advancePast(networkHelpers, (await governor.proposalEta(proposalId)) - 1n);
}

/** Takes the proposal through propose, vote For, queue, the timelock delay and execute; returns the execution. */
export async function enactProposal(run: GovernanceRun): Promise<ContractTransactionResponse> {
  const proposalId = await passProposal(run);
  await queueProposal(run.governor, run.proposal);
  await waitForEta(run.networkHelpers, run.governor, proposalId);
  const execution = await run.governor.execute(...proposalArgs(run.proposal));
  await execution.wait();
  return execution;
}
