/** The API's governance answers (api/src/routes/governance/schemas.ts), as the web app reads them. */

export type ProposalStateName =
  "pending" | "active" | "canceled" | "defeated" | "succeeded" | "queued" | "expired" | "executed";

export interface ProposalSummary {
  id: string;
  proposer: string;
  title: string;
  state: ProposalStateName;
  voteStart: string;
  voteEnd: string;
  extendedDeadline: string | null;
  votes: { for: string; against: string; abstain: string };
  quorum: string;
  quorumProgressBps: number;
  eta: string | null;
  executable: boolean;
  createdBlock: string;
  createdTx: string;
}

export interface ProposalAction {
  target: `0x${string}`;
  value: string;
  calldata: `0x${string}`;
  contract: string | null;
  functionName: string | null;
  args: Record<string, unknown> | null;
  summary: string;
}

export interface ProposalDetail extends ProposalSummary {
  description: string;
  actions: ProposalAction[];
  votesCast: number;
  timeline: { kind: string; at: string; txHash: string | null }[];
  asOf: string;
}

export interface ProposalVote {
  voter: string;
  support: "against" | "for" | "abstain";
  weight: string;
  reason: string;
  blockNumber: string;
  txHash: string;
  castAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface GovernanceAccount {
  address: `0x${string}`;
  votingPower: string;
  balance: string;
  delegate: `0x${string}` | null;
  nonce: string;
  delegators: number;
  votesCast: number;
  participationBps: number;
}

export interface GovernanceParameters {
  governor: {
    address: `0x${string}`;
    token: `0x${string}`;
    timelock: `0x${string}`;
    votingDelay: string;
    votingPeriod: string;
    proposalThreshold: string;
    quorumNumerator: string;
    quorumDenominator: string;
    quorum: string;
    lateQuorumVoteExtension: string;
    timelockDelay: string;
  };
  platform: {
    terms: {
      feeBps: number;
      shipWindow: string;
      confirmWindow: string;
      arbitrationTimeout: string;
      sinceOrderId: string;
    } | null;
    escrow: `0x${string}` | null;
    paymentTokens: `0x${string}`[];
    paused: boolean;
    arbiters: `0x${string}`[];
    guardians: `0x${string}`[];
  };
  asOf: string;
}
