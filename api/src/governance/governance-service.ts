import { TableNotFoundException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { zeroAddress } from "viem";
import type { Address, Hex } from "viem";

import { marketplaceEscrowConstants } from "../../../deploy/generated/contracts.js";
import { NotFoundError, ServiceUnavailableError } from "../errors.js";
import { describeProposalAction } from "../services/describe-proposal-action.js";
import type { DescribedAction } from "../services/describe-proposal-action.js";
import type { GovernanceChain } from "./governance-chain.js";
import { createKnownContracts } from "./known-contracts.js";
import { participationBps } from "./participation-bps.js";
import {
  decodeKeysetPosition,
  decodeProposalCursor,
  encodeKeysetPosition,
  encodeProposalCursor,
} from "./proposal-cursor.js";
import type { ProposalState } from "./proposal-state.js";
import { summarizeProposal } from "./proposal-summary.js";
import type { ProposalRow, ProposalSummary } from "./proposal-summary.js";
import { proposalTimeline } from "./proposal-timeline.js";
import type { ProposalTimelineEntry } from "./proposal-timeline.js";

export interface ProposalDetail extends ProposalSummary {
  description: string;
  actions: DescribedAction[];
  votesCast: number;
  timeline: ProposalTimelineEntry[];
  /** The chain time the state was computed at (the latest block's timestamp). */
  asOf: string;
}

export interface VoteView {
  voter: string;
  support: "against" | "for" | "abstain";
  weight: string;
  reason: string;
  blockNumber: string;
  txHash: string;
  /** Unix seconds of the block the vote was mined in. */
  castAt: string;
}

export interface DelegateView {
  account: string;
  votingPower: string;
  /** Accounts delegating to this one, itself included when self-delegated. */
  delegators: number;
  votesCast: number;
  /** Votes cast / proposals whose vote has opened, in basis points. */
  participationBps: number;
}

const SUPPORT = ["against", "for", "abstain"] as const;
const PROPOSAL_COLUMNS = `proposal_id::text AS proposal_id, proposer, targets, "values"::text[] AS "values", calldatas,
  description, vote_start::text AS vote_start, vote_end::text AS vote_end, extended_deadline::text AS extended_deadline,
  for_votes::text AS for_votes, against_votes::text AS against_votes, abstain_votes::text AS abstain_votes,
  eta::text AS eta, queued, executed, canceled, created_block::text AS created_block, created_tx`;
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
    const rows: ProposalRow[] = await readIndexer(
      em,
      `SELECT ${PROPOSAL_COLUMNS} FROM indexer.proposals WHERE chain_id = ? AND proposal_id = ?::numeric`,
      [chainId, id],
    );
    if (rows.length === 0) throw new NotFoundError(`No proposal ${id} is indexed on chain ${chainId}`);
    return rows[0];
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
        const rows: ProposalRow[] = await readIndexer(
          em,
          `SELECT ${PROPOSAL_COLUMNS} FROM indexer.proposals
            WHERE chain_id = ?
              AND (?::text IS NULL OR proposer = ?)
              AND (?::bigint IS NULL OR (created_block, proposal_id) < (?::bigint, ?::numeric))
            ORDER BY created_block DESC, proposal_id DESC LIMIT ?`,
          [
            chainId,
            query.proposer ?? null,
            query.proposer ?? null,
            after?.block ?? null,
            after?.block ?? null,
            after?.id ?? null,
            SCAN_BATCH,
          ],
        );
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
      const events: { event_name: string; block_timestamp: string; tx_hash: string }[] = await readIndexer(
        em,
        `SELECT event_name, block_timestamp::text AS block_timestamp, tx_hash FROM indexer.events
          WHERE chain_id = ? AND contract_name = 'AgriGovernor' AND args->>'proposalId' = ?
            AND event_name IN ('ProposalCreated', 'ProposalExtended', 'ProposalQueued', 'ProposalExecuted',
                               'ProposalCanceled')
          ORDER BY block_number, log_index`,
        [chainId, id],
      );
      const [{ count }]: { count: string }[] = await readIndexer(
        em,
        `SELECT count(*)::text AS count FROM indexer.votes WHERE chain_id = ? AND proposal_id = ?::numeric`,
        [chainId, id],
      );
      return {
        ...summary,
        description: row.description,
        actions,
        votesCast: Number(count),
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
      const [order, position] =
        query.sort === "weight"
          ? ["v.weight DESC, v.voter DESC", "(v.weight, v.voter) < (?::numeric, ?::text)"]
          : ["v.block_number DESC, v.log_index DESC", "(v.block_number, v.log_index) < (?::bigint, ?::integer)"];
      const rows: {
        voter: string;
        support: number;
        weight: string;
        reason: string;
        block_number: string;
        log_index: number;
        tx_hash: string;
        cast_at: string | null;
      }[] = await readIndexer(
        em,
        `SELECT v.voter, v.support, v.weight::text AS weight, v.reason, v.block_number::text AS block_number,
                v.log_index, v.tx_hash, e.block_timestamp::text AS cast_at
           FROM indexer.votes v
           LEFT JOIN indexer.events e
             ON e.chain_id = v.chain_id AND e.block_number = v.block_number AND e.log_index = v.log_index
          WHERE v.chain_id = ? AND v.proposal_id = ?::numeric ${after === undefined ? "" : `AND ${position}`}
          ORDER BY ${order} LIMIT ?`,
        [chainId, id, ...(after === undefined ? [] : after), query.limit + 1],
      );
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((row) => ({
          voter: row.voter,
          support: SUPPORT[row.support],
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
      const rows: { account: string; voting_power: string; delegators: number; votes_cast: number }[] =
        await readIndexer(
          em,
          `SELECT d.account, d.voting_power::text AS voting_power,
                  (SELECT count(*)::int FROM indexer.delegates f WHERE f.chain_id = d.chain_id AND f.delegate = d.account)
                    AS delegators,
                  (SELECT count(*)::int FROM indexer.votes v WHERE v.chain_id = d.chain_id AND v.voter = d.account)
                    AS votes_cast
             FROM indexer.delegates d
            WHERE d.chain_id = ? AND d.voting_power > 0
              ${after === undefined ? "" : "AND (d.voting_power, d.account) < (?::numeric, ?::text)"}
            ORDER BY d.voting_power DESC, d.account DESC LIMIT ?`,
          [chainId, ...(after ?? []), query.limit + 1],
        );
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
      const [row]: { delegators: number; votes_cast: number }[] = await readIndexer(
        em,
        `SELECT (SELECT count(*)::int FROM indexer.delegates WHERE chain_id = ? AND delegate = ?) AS delegators,
                (SELECT count(*)::int FROM indexer.votes WHERE chain_id = ? AND voter = ?) AS votes_cast`,
        [chainId, account, chainId, account],
      );
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
      const terms: {
        fee_bps: number;
        ship_window: string;
        confirm_window: string;
        arbitration_timeout: string;
        first_order_id: string;
      }[] = await readIndexer(
        em,
        `SELECT fee_bps, ship_window::text AS ship_window, confirm_window::text AS confirm_window,
                arbitration_timeout::text AS arbitration_timeout, first_order_id::text AS first_order_id
           FROM indexer.escrow_terms WHERE chain_id = ? ORDER BY first_order_id DESC LIMIT 1`,
        [chainId],
      );
      const tokens: { token: string }[] = await readIndexer(
        em,
        `SELECT token FROM indexer.escrow_payment_tokens WHERE chain_id = ? AND allowed ORDER BY token`,
        [chainId],
      );
      const status: { paused: boolean }[] = await readIndexer(
        em,
        `SELECT paused FROM indexer.escrow_status WHERE chain_id = ?`,
        [chainId],
      );
      // The indexer keeps AccessControl events only as raw events: the latest grant or revoke per role and account
      // says who holds the role now.
      const roles: { role: string; account: string }[] = await readIndexer(
        em,
        `SELECT role, account FROM (
           SELECT DISTINCT ON (args->>'role', lower(args->>'account'))
                  args->>'role' AS role, lower(args->>'account') AS account, event_name
             FROM indexer.events
            WHERE chain_id = ? AND contract_name = 'MarketplaceEscrow' AND event_name IN ('RoleGranted', 'RoleRevoked')
            ORDER BY args->>'role', lower(args->>'account'), block_number DESC, log_index DESC
         ) latest WHERE event_name = 'RoleGranted' ORDER BY account`,
        [chainId],
      );
      const holders = (role: string) => roles.filter((row) => row.role === role).map((row) => row.account);
      const current = terms[0];
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
          paymentTokens: tokens.map((row) => row.token),
          paused: status[0]?.paused ?? false,
          arbiters: holders(ARBITER_ROLE),
          guardians: holders(GUARDIAN_ROLE),
        },
        asOf: now.toString(),
      };
    },
  };

  async function openedProposals(em: EntityManager, now: bigint): Promise<number> {
    const [{ count }]: { count: number }[] = await readIndexer(
      em,
      `SELECT count(*)::int AS count FROM indexer.proposals WHERE chain_id = ? AND vote_start < ?::numeric`,
      [chainId, now.toString()],
    );
    return count;
  }
}

export type GovernanceService = ReturnType<typeof createGovernanceService>;

const { ARBITER_ROLE, GUARDIAN_ROLE } = marketplaceEscrowConstants;

/** Runs a query on the indexer's tables; before the indexer created them, governance is unavailable (503). */
async function readIndexer<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  try {
    return await em.execute<T[]>(sql, params);
  } catch (error) {
    if (error instanceof TableNotFoundException) {
      throw new ServiceUnavailableError("The indexer's tables do not exist in this database yet");
    }
    throw error;
  }
}
