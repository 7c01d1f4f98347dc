import { z } from "zod";

import { PROPOSAL_STATES } from "../governance/proposal-states.js";
import { VOTE_SUPPORTS } from "../governance/vote-supports.js";
import { address, bytes32, typedHex } from "./hex-strings.js";

const uint = z
  .string()
  .regex(/^[0-9]{1,78}$/)
  .describe("A uint256 as a decimal string");
const seconds = z
  .string()
  .regex(/^[0-9]+$/)
  .describe("Unix seconds (the chain's clock)");
const addressInput = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, { error: "expected a 0x-prefixed 20-byte hex address" })
  .transform((value) => value.toLowerCase() as `0x${string}`);
const txHash = bytes32;
const limit = z.coerce.number().int().min(1).max(100).default(20);
const cursor = z.string().min(1).max(300).optional().describe("The nextCursor of the previous page");

export const proposalParams = z.object({ id: uint });
export const accountParams = z.object({ address: addressInput });

export const proposalListQuery = z.object({
  state: z.enum(PROPOSAL_STATES).optional().describe("Only proposals in this state as of the latest block"),
  proposer: addressInput.optional(),
  limit,
  cursor,
});

export const voteListQuery = z.object({
  sort: z.enum(["weight", "time"]).default("weight").describe("Heaviest first, or newest first"),
  limit,
  cursor,
});

export const delegateListQuery = z.object({ limit, cursor });

export const proposalSummary = z.object({
  id: uint,
  proposer: address,
  title: z.string(),
  state: z.enum(PROPOSAL_STATES),
  voteStart: seconds.describe("Voting opens just after this time"),
  voteEnd: seconds.describe("Voting closes just after this time (the extended deadline when a late quorum set one)"),
  extendedDeadline: seconds.nullable(),
  votes: z.object({ for: uint, against: uint, abstain: uint }).describe("AGRI wei"),
  quorum: uint.describe("For + Abstain votes needed, at the snapshot (for a pending proposal: as of now)"),
  quorumProgressBps: z.number().int().min(0).max(10_000),
  eta: seconds.nullable().describe("When the timelock lets a queued proposal execute"),
  executable: z.boolean().describe("Queued and its eta has come"),
  createdBlock: z.string(),
  createdTx: txHash,
});

export const proposalPage = z.object({ items: z.array(proposalSummary), nextCursor: z.string().nullable() });

export const proposalDetail = proposalSummary.extend({
  description: z.string().describe("Markdown"),
  actions: z.array(
    z.object({
      target: address,
      value: uint.describe("Wei sent with the call"),
      calldata: typedHex(z.string()),
      contract: z.string().nullable().describe("The platform contract called; null for an unknown address"),
      functionName: z.string().nullable().describe("null when the call is not decoded (shown raw)"),
      args: z.record(z.string(), z.unknown()).nullable(),
      summary: z.string().describe('What it does, e.g. "Set platform fee to 3.00%"'),
    }),
  ),
  votesCast: z.number().int().nonnegative(),
  timeline: z.array(
    z.object({
      kind: z.enum(["created", "voting_started", "voting_extended", "voting_ended", "queued", "executed", "canceled"]),
      at: seconds,
      txHash: txHash.nullable().describe("null for what the clock did"),
    }),
  ),
  asOf: seconds.describe("The chain time the state was computed at"),
});

export const votePage = z.object({
  items: z.array(
    z.object({
      voter: address,
      support: z.enum(VOTE_SUPPORTS),
      weight: uint,
      reason: z.string(),
      blockNumber: z.string(),
      txHash,
      castAt: seconds,
    }),
  ),
  nextCursor: z.string().nullable(),
});

const delegateFigures = {
  delegators: z.number().int().nonnegative().describe("Accounts delegating to it, itself included"),
  votesCast: z.number().int().nonnegative(),
  participationBps: z.number().int().min(0).max(10_000).describe("Votes cast / proposals whose vote opened"),
};

export const delegatePage = z.object({
  items: z.array(z.object({ account: address, votingPower: uint, ...delegateFigures })),
  nextCursor: z.string().nullable(),
});

export const accountView = z.object({
  address,
  votingPower: uint,
  balance: uint.describe("AGRI wei held"),
  delegate: address.nullable().describe("null until the account delegates (its balance does not vote until then)"),
  nonce: uint.describe("The governor nonce the next castVoteBySig ballot must be signed with"),
  ...delegateFigures,
});

export const governanceParameters = z.object({
  governor: z.object({
    address,
    token: address,
    timelock: address,
    votingDelay: seconds.describe("Seconds"),
    votingPeriod: seconds.describe("Seconds"),
    proposalThreshold: uint,
    quorumNumerator: uint,
    quorumDenominator: uint,
    quorum: uint.describe("Votes needed as of now"),
    lateQuorumVoteExtension: seconds.describe("Seconds"),
    timelockDelay: seconds.describe("Seconds"),
  }),
  platform: z.object({
    terms: z
      .object({
        feeBps: z.number().int(),
        shipWindow: seconds.describe("Seconds"),
        confirmWindow: seconds.describe("Seconds"),
        arbitrationTimeout: seconds.describe("Seconds"),
        sinceOrderId: uint,
      })
      .nullable()
      .describe("null until the indexer has seen the escrow's terms"),
    escrow: address.nullable().describe("The escrow whose parameters proposals change; null when not configured"),
    paymentTokens: z.array(address),
    paused: z.boolean(),
    arbiters: z.array(address),
    guardians: z.array(address),
  }),
  asOf: seconds,
});

export const relayVoteBody = z.object({
  proposalId: uint.transform((value) => BigInt(value)),
  support: z.union([z.literal(0), z.literal(1), z.literal(2)]).describe("0 against, 1 for, 2 abstain"),
  reason: z.string().max(2_000).optional().describe("Present when the voter signed an ExtendedBallot with it"),
  voter: addressInput,
  signature: z
    .string()
    .regex(/^0x([0-9a-fA-F]{2})+$/, { error: "expected 0x-prefixed hex bytes" })
    .max(4_000)
    .transform((value) => value as `0x${string}`),
  nonce: uint
    .transform((value) => BigInt(value))
    .optional()
    .describe("The nonce the ballot was signed with; refused with 409 unless it is the voter's current one"),
});

export const relayedVote = z.object({ txHash, relayer: address });

export type ProposalSummary = z.infer<typeof proposalSummary>;
export type ProposalPage = z.infer<typeof proposalPage>;
export type ProposalDetail = z.infer<typeof proposalDetail>;
export type ProposalAction = ProposalDetail["actions"][number];
export type VotePage = z.infer<typeof votePage>;
export type ProposalVote = VotePage["items"][number];
export type GovernanceAccount = z.infer<typeof accountView>;
export type GovernanceParameters = z.infer<typeof governanceParameters>;
export type RelayedVote = z.infer<typeof relayedVote>;
