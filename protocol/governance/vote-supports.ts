import { enumValues } from "../enum-values.js";
import { agriGovernorEnums } from "../generated/contracts.js";
import { uncapitalizedMembers } from "../uncapitalized-members.js";

/** GovernorCountingSimple.VoteType's members by value, as the API spells a vote's support: `against`, `for`, `abstain`. */
export const VOTE_SUPPORTS = uncapitalizedMembers(agriGovernorEnums.VoteType);

export type VoteSupport = (typeof VOTE_SUPPORTS)[number];

/** The `support` argument of castVote and of a ballot, by name: `VOTE_SUPPORT.for` is 1. */
export const VOTE_SUPPORT = enumValues(VOTE_SUPPORTS);
