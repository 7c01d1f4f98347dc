import { agriGovernorEnums } from "../generated/contracts.js";
import { uncapitalizedMembers } from "../uncapitalized-members.js";

/**
 * IGovernor.ProposalState's members by value, as the API spells them (`pending` … `executed`): `state()` returns the
 * index. `expired` is part of the interface but AgriGovernor never reaches it: a TimelockController operation does
 * not expire, so a queued proposal stays queued until it is executed.
 */
export const PROPOSAL_STATES = uncapitalizedMembers(agriGovernorEnums.ProposalState);

export type ProposalState = (typeof PROPOSAL_STATES)[number];
