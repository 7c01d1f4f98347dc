import type { GovernanceService } from "../../governance/governance-service.js";
import type { VoteRelayer } from "../../governance/vote-relayer.js";
import { defineRoute } from "../../http/define-route.js";
import {
  accountParams,
  accountView,
  delegateListQuery,
  delegatePage,
  governanceParameters,
  proposalDetail,
  proposalListQuery,
  proposalPage,
  proposalParams,
  relayVoteBody,
  relayedVote,
  voteListQuery,
  votePage,
} from "../../../../protocol/api/governance.js";

// States move with the chain clock, so nothing may be served from a cache.
const NO_STORE = { "Cache-Control": "no-store" };

/**
 * The DAO's read side (proposals, votes, delegates, parameters) and the gasless-vote relayer. Changes are pushed as
 * the `chain` events of GET /api/events: each carries the proposalIds and accounts a block touched.
 */
export function createGovernanceRoutes({
  governance,
  relayer,
}: {
  governance: GovernanceService;
  relayer: VoteRelayer;
}) {
  return [
    defineRoute({
      method: "get",
      path: "/api/governance/proposals",
      auth: "public",
      summary: "Proposals, newest first, with their state as of the latest block",
      tags: ["governance"],
      request: { query: proposalListQuery },
      responses: { 200: proposalPage },
    }).handle(async ({ query, em }) => ({
      status: 200,
      body: await governance.listProposals(em, query),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "get",
      path: "/api/governance/proposals/:id",
      auth: "public",
      summary: "One proposal: description, decoded actions, tallies, quorum, timelock eta and timeline",
      tags: ["governance"],
      request: { params: proposalParams },
      responses: { 200: proposalDetail },
    }).handle(async ({ params, em }) => ({
      status: 200,
      body: await governance.getProposal(em, params.id),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "get",
      path: "/api/governance/proposals/:id/votes",
      auth: "public",
      summary: "The votes cast on a proposal, heaviest or newest first",
      tags: ["governance"],
      request: { params: proposalParams, query: voteListQuery },
      responses: { 200: votePage },
    }).handle(async ({ params, query, em }) => ({
      status: 200,
      body: await governance.listVotes(em, params.id, query),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "get",
      path: "/api/governance/delegates",
      auth: "public",
      summary: "Delegates by voting power, with delegators and participation",
      tags: ["governance"],
      request: { query: delegateListQuery },
      responses: { 200: delegatePage },
    }).handle(async ({ query, em }) => ({
      status: 200,
      body: await governance.listDelegates(em, query),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "get",
      path: "/api/governance/accounts/:address",
      auth: "public",
      summary: "An account's voting power, delegate and castVoteBySig nonce",
      tags: ["governance"],
      request: { params: accountParams },
      responses: { 200: accountView },
    }).handle(async ({ params, em }) => ({
      status: 200,
      body: await governance.getAccount(em, params.address),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "get",
      path: "/api/governance/parameters",
      auth: "public",
      summary: "Governor settings and the platform parameters in force",
      tags: ["governance"],
      responses: { 200: governanceParameters },
    }).handle(async ({ em }) => ({
      status: 200,
      body: await governance.getParameters(em),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "post",
      path: "/api/governance/votes/relay",
      auth: "public",
      // The strict policy: each accepted request costs the relayer gas. The voter is limited too, in the service.
      rateLimit: "auth",
      summary: "Relay a signed (EIP-712) vote from the API's relayer account",
      description:
        "The ballot is checked before any transaction: 404 unknown_proposal, 409 voting_closed (before the start " +
        "or after the end), already_voted, signature_replayed, nonce_mismatch or already_relayed (one relayed vote " +
        "per voter and proposal), 422 invalid_signature or no_voting_power (no votes at the proposal's snapshot); " +
        "503 relayer_unavailable when no relayer key is configured, relayer_balance_low when the relayer cannot pay " +
        "the gas, relayer_budget_exhausted when the day's gas budget is spent. Accepted ballots return the " +
        "transaction hash.",
      tags: ["governance"],
      request: { body: relayVoteBody },
      responses: { 202: relayedVote },
    }).handle(async ({ body }) => ({ status: 202, body: await relayer.relay(body) })),
  ];
}
