import { BaseError, ContractFunctionRevertedError, createWalletClient, http, keccak256 } from "viem";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { agriGovernorAbi } from "../../../deploy/generated/contracts.js";
import type { KeyValueStore } from "../stores/store.js";
import type { GovernanceChain } from "./governance-chain.js";
import {
  AlreadyVotedError,
  InvalidVoteSignatureError,
  NonceMismatchError,
  RelayerUnavailableError,
  SignatureReplayedError,
  UnknownProposalError,
  VotingClosedError,
} from "./governance-errors.js";
import { BALLOT_TYPES } from "./governor-ballot-types.js";

/** A ballot the voter signed (EIP-712, the governor's domain) for someone else to submit. */
export interface SignedBallot {
  proposalId: bigint;
  /** GovernorCountingSimple: 0 against, 1 for, 2 abstain. */
  support: 0 | 1 | 2;
  /** With a reason the voter signed an ExtendedBallot (empty params); without, a Ballot. */
  reason?: string;
  voter: Address;
  signature: Hex;
  /** The nonce the voter says it signed; checked against the governor's before anything else is. */
  nonce?: bigint;
}

const NO_PARAMS = "0x";

/**
 * Relays gasless votes: checks a signed ballot off-chain against the governor (proposal known and open, voter has
 * not voted, nonce current, signature the voter's, the call would succeed) and only then sends castVoteBySig, or
 * castVoteWithReasonAndParamsBySig when the ballot carries a reason, from the relayer account. Every refusal happens
 * before a transaction exists, so abuse costs the relayer no gas.
 */
export function createVoteRelayer(deps: {
  chain: GovernanceChain;
  /** Without it relaying is refused with 503. */
  privateKey: Hex | undefined;
  /** Remembers relayed signatures, across replicas when Redis-backed. */
  keyValue: KeyValueStore;
  /** Counts one relay request against the voter's rate limit; throws RateLimitedError when over. */
  limitVoter: (subject: string) => Promise<void>;
}) {
  const { chain, keyValue } = deps;
  const account = deps.privateKey === undefined ? undefined : privateKeyToAccount(deps.privateKey);
  const wallet =
    account === undefined
      ? undefined
      : createWalletClient({ account, chain: chain.chain, transport: http(chain.chain.rpcUrls.default.http[0]) });
  const governor = { address: chain.governorAddress, abi: agriGovernorAbi } as const;
  // One relayer account sends one transaction at a time, so its nonces never collide within this process.
  let sending: Promise<unknown> = Promise.resolve();

  return {
    /** Checks and relays one ballot; returns the hash of the transaction that casts it. */
    async relay(ballot: SignedBallot): Promise<{ txHash: Hex; relayer: Address }> {
      if (account === undefined || wallet === undefined) {
        throw new RelayerUnavailableError(
          "Gasless voting is not available on this API: RELAYER_PRIVATE_KEY is not configured. Vote from your wallet.",
        );
      }
      const voter = ballot.voter.toLowerCase() as Address;
      await deps.limitVoter(`voter:${voter}`);
      const replayKey = `governance:relayed-ballot:${keccak256(ballot.signature)}`;
      if ((await keyValue.readCounter(replayKey)) !== undefined) throw new SignatureReplayedError();

      const { snapshot, deadline } = await chain.proposalWindow(ballot.proposalId);
      if (snapshot === 0n) throw new UnknownProposalError(ballot.proposalId);
      // The vote is mined in a later block than the latest, so it must be open for any time after `now`.
      const now = await chain.latestTimestamp();
      if (snapshot > now) {
        throw new VotingClosedError(`Voting on proposal ${ballot.proposalId} opens after ${snapshot}`, {
          voteStart: snapshot.toString(),
          now: now.toString(),
        });
      }
      if (deadline <= now) {
        throw new VotingClosedError(`Voting on proposal ${ballot.proposalId} ended at ${deadline}`, {
          voteEnd: deadline.toString(),
          now: now.toString(),
        });
      }
      if (await chain.hasVoted(ballot.proposalId, voter)) throw new AlreadyVotedError(voter);
      const nonce = await chain.nonce(voter);
      if (ballot.nonce !== undefined && ballot.nonce !== nonce) throw new NonceMismatchError(nonce, ballot.nonce);

      const domain = await chain.domain();
      const message = { proposalId: ballot.proposalId, support: ballot.support, voter, nonce };
      const valid =
        ballot.reason === undefined
          ? await chain.client.verifyTypedData({
              address: voter,
              domain,
              types: BALLOT_TYPES,
              primaryType: "Ballot",
              message,
              signature: ballot.signature,
            })
          : await chain.client.verifyTypedData({
              address: voter,
              domain,
              types: BALLOT_TYPES,
              primaryType: "ExtendedBallot",
              message: { ...message, reason: ballot.reason, params: NO_PARAMS },
              signature: ballot.signature,
            });
      if (!valid) {
        throw new InvalidVoteSignatureError(
          `The signature is not ${voter}'s ${ballot.reason === undefined ? "Ballot" : "ExtendedBallot"} for ` +
            `proposal ${ballot.proposalId} with support ${ballot.support} and the voter's current nonce ${nonce}`,
          { nonce: nonce.toString() },
        );
      }

      // Claimed only once the simulation passed, so a refused ballot can be corrected and sent again; two racing
      // copies of one signature both pass the checks above, and only the first to claim it is sent.
      let claimed = false;
      const claim = async () => {
        if ((await keyValue.increment(replayKey, 0)) !== 1) throw new SignatureReplayedError();
        claimed = true;
      };
      const send = async () => {
        try {
          return await submit(ballot, voter, claim);
        } catch (error) {
          if (error instanceof SignatureReplayedError) throw error;
          if (claimed) await keyValue.delete(replayKey);
          throw refusal(error, voter) ?? error;
        }
      };
      const result = sending.then(send, send);
      sending = result.catch(() => undefined);
      return { txHash: await result, relayer: account.address.toLowerCase() as Address };
    },
  };

  /** Simulates the vote (a revert refuses it without gas), then claims the signature and sends the transaction. */
  async function submit(ballot: SignedBallot, voter: Address, claim: () => Promise<void>): Promise<Hex> {
    if (wallet === undefined) throw new Error("no relayer wallet");
    if (ballot.reason === undefined) {
      const { request } = await chain.client.simulateContract({
        ...governor,
        account,
        functionName: "castVoteBySig",
        args: [ballot.proposalId, ballot.support, voter, ballot.signature],
      });
      await claim();
      return wallet.writeContract(request);
    }
    const { request } = await chain.client.simulateContract({
      ...governor,
      account,
      functionName: "castVoteWithReasonAndParamsBySig",
      args: [ballot.proposalId, ballot.support, voter, ballot.reason, NO_PARAMS, ballot.signature],
    });
    await claim();
    return wallet.writeContract(request);
  }
}

export type VoteRelayer = ReturnType<typeof createVoteRelayer>;

/** The typed refusal for a simulated vote the governor would revert, or undefined when it is no known refusal. */
function refusal(error: unknown, voter: Address): Error | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) return undefined;
  switch (reverted.data?.errorName) {
    case "GovernorAlreadyCastVote":
      return new AlreadyVotedError(voter);
    case "GovernorInvalidSignature":
      return new InvalidVoteSignatureError("The governor refuses the signature");
    case "GovernorUnexpectedProposalState":
      return new VotingClosedError("The proposal is not taking votes");
    default:
      return undefined;
  }
}
