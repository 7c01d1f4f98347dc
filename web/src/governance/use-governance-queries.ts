import { useQuery } from "@tanstack/react-query";

import type {
  GovernanceAccount,
  GovernanceParameters,
  ProposalDetail,
  ProposalPage,
  VotePage,
} from "../../../protocol/api/governance";
import type { ProposalState } from "../../../protocol/governance/proposal-states";
import { requestJson } from "../api/request-json";

/** The root of every governance query key: a chain event refetches them all at once. */
export const GOVERNANCE_KEY = "governance";

// Proposal states move with the chain clock, not only with events: a short poll keeps the pages honest for visitors
// without a live stream (the stream needs a signed-in user).
const POLL_MS = 4_000;

/** Proposals, newest first, optionally only those in `state`. */
export function useProposals(state: ProposalState | undefined) {
  return useQuery({
    queryKey: [GOVERNANCE_KEY, "proposals", state ?? "all"],
    queryFn: ({ signal }) =>
      requestJson<ProposalPage>(`/api/governance/proposals?limit=50${state === undefined ? "" : `&state=${state}`}`, {
        signal,
      }),
    refetchInterval: POLL_MS,
  });
}

/** One proposal with its decoded actions, tallies and timeline. */
export function useProposal(id: string) {
  return useQuery({
    queryKey: [GOVERNANCE_KEY, "proposal", id],
    queryFn: ({ signal }) => requestJson<ProposalDetail>(`/api/governance/proposals/${id}`, { signal }),
    refetchInterval: POLL_MS,
  });
}

/** The votes cast on a proposal, heaviest first. */
export function useProposalVotes(id: string) {
  return useQuery({
    queryKey: [GOVERNANCE_KEY, "votes", id],
    queryFn: ({ signal }) =>
      requestJson<VotePage>(`/api/governance/proposals/${id}/votes?sort=weight&limit=100`, { signal }),
    refetchInterval: POLL_MS,
  });
}

/** Governor settings and the platform parameters in force. */
export function useGovernanceParameters() {
  return useQuery({
    queryKey: [GOVERNANCE_KEY, "parameters"],
    queryFn: ({ signal }) => requestJson<GovernanceParameters>("/api/governance/parameters", { signal }),
    refetchInterval: POLL_MS,
  });
}

/** An account's voting power, delegate and vote-signature nonce; idle without an address. */
export function useGovernanceAccount(address: string | undefined) {
  return useQuery({
    queryKey: [GOVERNANCE_KEY, "account", address?.toLowerCase()],
    queryFn: ({ signal }) => requestJson<GovernanceAccount>(`/api/governance/accounts/${address}`, { signal }),
    enabled: address !== undefined,
    refetchInterval: POLL_MS,
  });
}
