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
