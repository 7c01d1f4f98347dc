import type { EntityManager } from "@mikro-orm/postgresql";
import { zeroAddress } from "viem";
import type { Address, Hex } from "viem";
import type { z } from "zod";

import type { delegatePage, proposalDetail, votePage } from "../../../protocol/api/governance.js";
import { marketplaceEscrowConstants } from "../../../protocol/generated/contracts.js";
import { describeProposalAction } from "../../../protocol/governance/describe-proposal-action.js";
import type { ProposalState } from "../../../protocol/governance/proposal-states.js";
import { VOTE_SUPPORTS } from "../../../protocol/governance/vote-supports.js";
import { listDelegateRows, readDelegateRecord } from "../chain-reads/delegates.js";
import { listAllowedPaymentTokens } from "../chain-reads/escrow-payment-tokens.js";
import { readEscrowPaused } from "../chain-reads/escrow-status.js";
import { readEscrowTermsInForce } from "../chain-reads/escrow-terms.js";
import { listProposalEvents } from "../chain-reads/events.js";
import { countProposalsOpenedBefore, findProposalRow, listProposalRows } from "../chain-reads/proposals.js";
import type { ProposalRow } from "../chain-reads/proposals.js";
import { listEscrowRoleHolders } from "../chain-reads/role-holders.js";
import { countProposalVotes, listProposalVotes } from "../chain-reads/votes.js";
import { NotFoundError, ServiceUnavailableError } from "../errors.js";
import type { GovernanceChain } from "./governance-chain.js";
import { createKnownContracts } from "./known-contracts.js";
import { participationBps } from "./participation-bps.js";
import {
  decodeKeysetPosition,
  decodeProposalCursor,
  encodeKeysetPosition,
  encodeProposalCursor,
} from "./proposal-cursor.js";
import { summarizeProposal } from "./proposal-summary.js";
import type { ProposalSummary } from "./proposal-summary.js";
import { proposalTimeline } from "./proposal-timeline.js";

export type ProposalDetail = z.input<typeof proposalDetail>;
export type VoteView = z.input<typeof votePage>["items"][number];
export type DelegateView = z.input<typeof delegatePage>["items"][number];

// Proposals are read in batches of this size while a state filter looks for a page of matches.
const SCAN_BATCH = 100;

/**
 * The governance read side: proposals, votes and delegates from the indexer's tables (read-through: never written
 * here), with what must be current (state against the chain clock, quorum, voting power, nonces) from the chain.
 */
export function createGovernanceService(deps: {
  chainId: number;
  chain: GovernanceChain;
  /** The escrow proposals set parameters on, when configured. */
  escrowAddress: Address | undefined;
  /** The stablecoin the treasury may pay out in, when configured; its symbol is read from the chain once. */
  stablecoin: { address: Address; decimals: number } | undefined;
}) {
  const { chainId, chain } = deps;
  const knownContracts = createKnownContracts(deps);

  const findProposal = async (em: EntityManager, id: string): Promise<ProposalRow> => {
    const row = await findProposalRow(em, chainId, id);
    if (row === undefined) throw new NotFoundError(`No proposal ${id} is indexed on chain ${chainId}`);
    return row;
  };

  return {
    /** Newest first; with `state`, only proposals in that state as of the latest block. */
    async listProposals(
      em: EntityManager,
      query: { state?: ProposalState; proposer?: string; limit: number; cursor?: string },
    ): Promise<{ items: ProposalSummary[]; nextCursor: string | null }> {
      const now = await chain.latestTimestamp();
      let after = query.cursor === undefined ? undefined : decodeProposalCursor(query.cursor);
      const items: ProposalSummary[] = [];
      for (;;) {
        const rows = await listProposalRows(em, chainId, {
          proposer: query.proposer,
          after,
          limit: SCAN_BATCH,
        });
        for (const row of rows) {
          const summary = await summarizeProposal(chain, row, now);
          if (query.state !== undefined && summary.state !== query.state) continue;
          if (items.length === query.limit) {
            const last = items[items.length - 1];
            return { items, nextCursor: encodeProposalCursor({ block: last.createdBlock, id: last.id }) };
          }
          items.push(summary);
        }
        if (rows.length < SCAN_BATCH) return { items, nextCursor: null };
        const last = rows[rows.length - 1];
        after = { block: last.created_block, id: last.proposal_id };
      }
    },

    async getProposal(em: EntityManager, id: string): Promise<ProposalDetail> {
      const row = await findProposal(em, id);
      const now = await chain.latestTimestamp();
      const summary = await summarizeProposal(chain, row, now);
      const contracts = await knownContracts();
      const actions = row.targets.map((target, index) =>
        describeProposalAction(
          { target: target as Address, value: BigInt(row.values[index]), calldata: row.calldatas[index] as Hex },
          contracts,
        ),
      );
      const events = await listProposalEvents(em, chainId, id);
      const votesCast = await countProposalVotes(em, chainId, id);
      return {
        ...summary,
        description: row.description,
        actions,
        votesCast,
        timeline: proposalTimeline(events, summary, now),
        asOf: now.toString(),
      };
    },

    /** The votes of one proposal, heaviest or newest first. */
    async listVotes(
      em: EntityManager,
      id: string,
      query: { sort: "weight" | "time"; limit: number; cursor?: string },
    ): Promise<{ items: VoteView[]; nextCursor: string | null }> {
      await findProposal(em, id);
      const after = query.cursor === undefined ? undefined : decodeKeysetPosition(query.cursor);
      const rows = await listProposalVotes(em, chainId, id, { sort: query.sort, after, limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((row) => ({
          voter: row.voter,
          support: VOTE_SUPPORTS[row.support],
          weight: row.weight,
          reason: row.reason,
          blockNumber: row.block_number,
          txHash: row.tx_hash,
          castAt: row.cast_at ?? "0",
        })),
        nextCursor:
          rows.length > query.limit
            ? encodeKeysetPosition(
                query.sort === "weight" ? [last.weight, last.voter] : [last.block_number, String(last.log_index)],
              )
            : null,
      };
    },

    /** Delegates holding voting power, most first. */
    async listDelegates(
      em: EntityManager,
      query: { limit: number; cursor?: string },
    ): Promise<{ items: DelegateView[]; nextCursor: string | null }> {
      const now = await chain.latestTimestamp();
      const after = query.cursor === undefined ? undefined : decodeKeysetPosition(query.cursor);
      const rows = await listDelegateRows(em, chainId, { after, limit: query.limit + 1 });
      const opened = await openedProposals(em, now);
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((row) => ({
          account: row.account,
          votingPower: row.voting_power,
          delegators: row.delegators,
          votesCast: row.votes_cast,
          participationBps: participationBps(row.votes_cast, opened),
        })),
        nextCursor: rows.length > query.limit ? encodeKeysetPosition([last.voting_power, last.account]) : null,
      };
    },

    /** An account's voting power, delegate and castVoteBySig nonce from the chain, and its record from the index. */
    async getAccount(em: EntityManager, address: Address) {
      const account = address.toLowerCase() as Address;
      const [state, now] = await Promise.all([chain.account(account), chain.latestTimestamp()]);
      const row = await readDelegateRecord(em, chainId, account);
      const opened = await openedProposals(em, now);
      return {
        address: account,
        votingPower: state.votingPower.toString(),
        balance: state.balance.toString(),
        delegate: state.delegate === zeroAddress ? null : state.delegate,
        nonce: state.nonce.toString(),
        delegators: row.delegators,
        votesCast: row.votes_cast,
        participationBps: participationBps(row.votes_cast, opened),
      };
    },

    /** The governor's settings from the chain and the platform parameters in force from the indexer. */
    async getParameters(em: EntityManager) {
      const [settings, now] = await Promise.all([chain.settings(), chain.latestTimestamp()]);
      const quorum = await chain.quorumAt(now - 1n);
      const terms = await readEscrowTermsInForce(em, chainId);
      if (terms.status === "not_indexed") {
        throw new ServiceUnavailableError("The indexer's tables do not exist in this database yet");
      }
      const paymentTokens = await listAllowedPaymentTokens(em, chainId);
      const paused = await readEscrowPaused(em, chainId);
      const roles = await listEscrowRoleHolders(em, chainId);
      const holders = (role: string) => roles.filter((row) => row.role === role).map((row) => row.account);
      const current = terms.status === "in_force" ? terms.terms : undefined;
      return {
        governor: {
          address: chain.governorAddress.toLowerCase(),
          token: settings.tokenAddress,
          timelock: settings.timelockAddress,
          votingDelay: settings.votingDelay.toString(),
          votingPeriod: settings.votingPeriod.toString(),
          proposalThreshold: settings.proposalThreshold.toString(),
          quorumNumerator: settings.quorumNumerator.toString(),
          quorumDenominator: settings.quorumDenominator.toString(),
          quorum: quorum.toString(),
          lateQuorumVoteExtension: settings.lateQuorumVoteExtension.toString(),
          timelockDelay: settings.timelockDelay.toString(),
        },
        platform: {
          terms:
            current === undefined
              ? null
              : {
                  feeBps: current.fee_bps,
                  shipWindow: current.ship_window,
                  confirmWindow: current.confirm_window,
                  arbitrationTimeout: current.arbitration_timeout,
                  sinceOrderId: current.first_order_id,
                },
          escrow: deps.escrowAddress?.toLowerCase() ?? null,
          paymentTokens,
          paused,
          arbiters: holders(ARBITER_ROLE),
          guardians: holders(GUARDIAN_ROLE),
        },
        asOf: now.toString(),
      };
    },
  };

  function openedProposals(em: EntityManager, now: bigint): Promise<number> {
    return countProposalsOpenedBefore(em, chainId, now);
  }
}

export type GovernanceService = ReturnType<typeof createGovernanceService>;

const { ARBITER_ROLE, GUARDIAN_ROLE } = marketplaceEscrowConstants;
