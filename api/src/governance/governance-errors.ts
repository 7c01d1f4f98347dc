import { ApiError } from "../errors.js";

/** Gasless voting is off: no relayer key (or no governor) is configured. */
export class RelayerUnavailableError extends ApiError {
  readonly status = 503;
  readonly code = "relayer_unavailable";
}

/** The governor has no such proposal. */
export class UnknownProposalError extends ApiError {
  readonly status = 404;
  readonly code = "unknown_proposal";

  constructor(proposalId: bigint) {
    super(`The governor has no proposal ${proposalId}`, { proposalId: proposalId.toString() });
  }
}

/** The proposal is not taking votes: before its vote starts or after it ends (or canceled, executed...). */
export class VotingClosedError extends ApiError {
  readonly status = 409;
  readonly code = "voting_closed";
}

/** The voter already voted on this proposal; the governor counts one vote per account. */
export class AlreadyVotedError extends ApiError {
  readonly status = 409;
  readonly code = "already_voted";

  constructor(voter: string) {
    super(`${voter} already voted on this proposal`, { voter });
  }
}

/** This exact signature was relayed before: each signed ballot is relayed once. */
export class SignatureReplayedError extends ApiError {
  readonly status = 409;
  readonly code = "signature_replayed";

  constructor() {
    super("This signature was already relayed; sign a new ballot with the voter's current nonce");
  }
}

/** The ballot was signed for a nonce other than the voter's current one on the governor. */
export class NonceMismatchError extends ApiError {
  readonly status = 409;
  readonly code = "nonce_mismatch";

  constructor(expected: bigint, signed: bigint) {
    super(`The ballot was signed with nonce ${signed}, but the voter's current nonce is ${expected}`, {
      expected: expected.toString(),
      signed: signed.toString(),
    });
  }
}

/** The signature is not the voter's over this ballot (with the voter's current nonce). */
export class InvalidVoteSignatureError extends ApiError {
  readonly status = 422;
  readonly code = "invalid_signature";
}

/** The voter had no votes at the proposal's snapshot: the governor would count a ballot of weight zero. */
export class NoVotingPowerError extends ApiError {
  readonly status = 422;
  readonly code = "no_voting_power";

  constructor(voter: string, snapshot: bigint) {
    super(
      `${voter} had no votes at the proposal's snapshot (${snapshot}): the relayer sends only votes that count. ` +
        "Voting power is what was delegated to the account before the snapshot.",
      { voter, snapshot: snapshot.toString() },
    );
  }
}

/** The relayer already sent a vote of this voter on this proposal: it relays one per voter and proposal. */
export class AlreadyRelayedError extends ApiError {
  readonly status = 409;
  readonly code = "already_relayed";

  constructor(voter: string, proposalId: bigint, txHash: string | undefined) {
    super(
      `The relayer already sent a vote of ${voter} on proposal ${proposalId}` +
        (txHash === undefined ? "" : ` (transaction ${txHash})`) +
        "; it relays one vote per voter and proposal",
      { voter, proposalId: proposalId.toString(), txHash: txHash ?? null },
    );
  }
}

/** Relaying this vote would take the relayer past its gas budget for the day (RELAYER_DAILY_GAS_BUDGET). */
export class RelayerBudgetExhaustedError extends ApiError {
  readonly status = 503;
  readonly code = "relayer_budget_exhausted";

  constructor(details: { budget: number; spent: number; needed: number; resetsAt: string }) {
    super(
      `Gasless voting has used its gas budget for today (${details.spent} of ${details.budget} gas; this vote needs ` +
        `${details.needed}); it resumes at ${details.resetsAt}. Vote from your wallet meanwhile.`,
      details,
    );
  }
}

/** The relayer account cannot pay for this vote's gas. */
export class RelayerBalanceLowError extends ApiError {
  readonly status = 503;
  readonly code = "relayer_balance_low";

  constructor(details: { relayer: string; balance: bigint; needed: bigint }) {
    super(
      `The relayer account ${details.relayer} holds ${details.balance} wei, less than the ${details.needed} wei this ` +
        "vote's gas may cost; gasless voting resumes once it is funded. Vote from your wallet meanwhile.",
      { relayer: details.relayer, balance: details.balance.toString(), needed: details.needed.toString() },
    );
  }
}
