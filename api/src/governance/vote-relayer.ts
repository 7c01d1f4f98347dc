import { BaseError, ContractFunctionRevertedError, createWalletClient, getContractError, http, keccak256 } from "viem";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { agriGovernorAbi } from "../../../protocol/generated/contracts.js";
import { BALLOT_TYPES } from "../../../protocol/governance/ballot-types.js";
import { governorCalls } from "../../../protocol/governance/governor-calls.js";
import type { ApiMetrics } from "../api-metrics.js";
import { ApiError } from "../errors.js";
import { chainUnreachable } from "../operations/chain-unreachable.js";
import type { KeyValueStore } from "../stores/store.js";
import type { GovernanceChain } from "./governance-chain.js";
import {
  AlreadyRelayedError,
  AlreadyVotedError,
  InvalidVoteSignatureError,
  NoVotingPowerError,
  NonceMismatchError,
  RelayerBalanceLowError,
  RelayerBudgetExhaustedError,
  RelayerUnavailableError,
  SignatureReplayedError,
  UnknownProposalError,
  VotingClosedError,
} from "./governance-errors.js";

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
const DAY_MS = 86_400_000;

/**
 * Relays gasless votes: checks a signed ballot off-chain against the governor (proposal known and open, voter has
 * not voted, nonce current, signature the voter's, votes at the proposal's snapshot, the call would succeed) and only
 * then sends castVoteBySig, or castVoteWithReasonAndParamsBySig when the ballot carries a reason, from the relayer
 * account. Every refusal happens before a transaction exists, so abuse costs the relayer no gas; and what it does
 * spend is bounded: one relayed vote per voter and proposal, a gas budget per UTC day, never more than its balance.
 */
export function createVoteRelayer(deps: {
  chain: GovernanceChain;
  /** Without it relaying is refused with 503. */
  privateKey: Hex | undefined;
  /** Remembers relayed signatures, votes and the day's gas, across replicas when Redis-backed. */
  keyValue: KeyValueStore;
  /** Counts one relay request against the voter's rate limit; throws RateLimitedError when over. */
  limitVoter: (subject: string) => Promise<void>;
  /** Gas the relayer may commit per UTC day, across replicas (RELAYER_DAILY_GAS_BUDGET). */
  dailyGasBudget: number;
  metrics: Pick<ApiMetrics, "relayerGas" | "relayerRefusals" | "observeRelayer">;
}) {
  const { chain, keyValue, dailyGasBudget, metrics } = deps;
  const rpcUrl = chain.chain.rpcUrls.default.http[0];
  const account = deps.privateKey === undefined ? undefined : privateKeyToAccount(deps.privateKey);
  const wallet =
    account === undefined ? undefined : createWalletClient({ account, chain: chain.chain, transport: http(rpcUrl) });
  // One relayer account sends one transaction at a time, so its nonces never collide within this process.
  let sending: Promise<unknown> = Promise.resolve();
  const gasKey = (at: number) => `governance:relayer-gas:${new Date(at).toISOString().slice(0, 10)}`;
  if (account !== undefined) {
    metrics.observeRelayer({
      balanceWei: () => chain.balance(account.address),
      gasSpentToday: () => keyValue.readTotal(gasKey(Date.now())),
      dailyGasBudget,
    });
  }

  return {
    /** Checks and relays one ballot; returns the hash of the transaction that casts it. */
    async relay(ballot: SignedBallot): Promise<{ txHash: Hex; relayer: Address }> {
      try {
        return await relayChecked(ballot);
      } catch (error) {
        if (error instanceof ApiError) metrics.relayerRefusals.inc({ reason: error.code });
        throw error;
      }
    },
  };

  async function relayChecked(ballot: SignedBallot): Promise<{ txHash: Hex; relayer: Address }> {
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
    const latest = await chain.latestTimestamp();
    if (snapshot > latest) {
      throw new VotingClosedError(`Voting on proposal ${ballot.proposalId} opens after ${snapshot}`, {
        voteStart: snapshot.toString(),
        now: latest.toString(),
      });
    }
    if (deadline <= latest) {
      throw new VotingClosedError(`Voting on proposal ${ballot.proposalId} ended at ${deadline}`, {
        voteEnd: deadline.toString(),
        now: latest.toString(),
      });
    }
    if (await chain.hasVoted(ballot.proposalId, voter)) throw new AlreadyVotedError(voter);
    const voteKey = `governance:relayed-vote:${ballot.proposalId}:${voter}`;
    const relayed = await keyValue.get(voteKey);
    if (relayed !== undefined) throw new AlreadyRelayedError(voter, ballot.proposalId, txHashIn(relayed));
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
    // The governor counts a ballot of weight zero as a vote: the relayer would pay for nothing.
    const [votes, extension] = await Promise.all([
      chain.votesAt(voter, snapshot, latest),
      chain.lateQuorumVoteExtension(),
    ]);
    if (votes === 0n) throw new NoVotingPowerError(voter, snapshot);
    // The claim outlives every moment the vote could still be cast: the deadline moves at most once, by the extension.
    const claimTtlMs = Number(deadline + extension - latest) * 1000 + 60_000;

    const send = () => submit(ballot, voter, { replayKey, voteKey, claimTtlMs });
    const result = sending.then(send, send);
    sending = result.catch(() => undefined);
    return { txHash: await result, relayer: account.address.toLowerCase() as Address };
  }

  /**
   * Simulates the vote (a revert refuses it without gas), prices it, and only when the relayer can pay and the day's
   * budget has room claims the voter's vote and the signature and sends it. Claims and budget are given back when the
   * transaction could not be sent, so a refused or failed ballot can be corrected and sent again; two racing copies
   * both pass the checks before, and only the first to claim is sent.
   */
  async function submit(
    ballot: SignedBallot,
    voter: Address,
    keys: { replayKey: string; voteKey: string; claimTtlMs: number },
  ): Promise<Hex> {
    if (account === undefined || wallet === undefined) throw new Error("no relayer wallet");
    const release: (() => Promise<unknown>)[] = [];
    let sent: { txHash: Hex; gas: bigint };
    try {
      const call =
        ballot.reason === undefined
          ? governorCalls.castVoteBySig(chain.governorAddress, { ...ballot, voter })
          : governorCalls.castVoteWithReasonAndParamsBySig(chain.governorAddress, {
              ...ballot,
              voter,
              reason: ballot.reason,
              params: NO_PARAMS,
            });
      // Simulated first, a revert decoded as viem's simulateContract decodes it: refused without spending gas.
      await chain.client.call({ account, batch: false, to: call.to, data: call.data }).catch((error: unknown) => {
        const reverted: Error = getContractError(error as BaseError, {
          abi: agriGovernorAbi,
          address: call.to,
          args: Object.values(call.args),
          functionName: call.functionName,
          sender: account.address,
        });
        throw reverted;
      });
      const data = call.data;
      // The simulated call as a transaction, its gas and fees filled in: what the balance and the budget must cover.
      const prepared = await wallet.prepareTransactionRequest({
        account,
        chain: chain.chain,
        to: chain.governorAddress,
        data,
      });
      const gas = prepared.gas;
      const cost = gas * (prepared.maxFeePerGas ?? prepared.gasPrice ?? 0n);
      const balance = await chain.balance(account.address);
      if (balance < cost) {
        throw new RelayerBalanceLowError({ relayer: account.address.toLowerCase(), balance, needed: cost });
      }

      const at = Date.now();
      const dayKey = gasKey(at);
      const reserved = await keyValue.addWithin(dayKey, Number(gas), dailyGasBudget, 2 * DAY_MS);
      if (!reserved.added) {
        throw new RelayerBudgetExhaustedError({
          budget: dailyGasBudget,
          spent: reserved.total,
          needed: Number(gas),
          resetsAt: new Date(Math.floor(at / DAY_MS) * DAY_MS + DAY_MS).toISOString(),
        });
      }
      release.push(() => keyValue.addWithin(dayKey, -Number(gas), dailyGasBudget, 2 * DAY_MS));
      if (!(await keyValue.setIfAbsent(keys.voteKey, "sending", keys.claimTtlMs))) {
        throw new AlreadyRelayedError(voter, ballot.proposalId, txHashIn(await keyValue.get(keys.voteKey)));
      }
      release.push(() => keyValue.delete(keys.voteKey));
      if ((await keyValue.increment(keys.replayKey, 0)) !== 1) throw new SignatureReplayedError();
      release.push(() => keyValue.delete(keys.replayKey));

      const serializedTransaction = await wallet.signTransaction(prepared);
      sent = { txHash: await wallet.sendRawTransaction({ serializedTransaction }), gas };
    } catch (error) {
      // Given back in reverse, and only what this attempt took: a claim another request holds is not ours to drop. A
      // give-back the store fails only errs on the safe side (the claim expires, the budget resets with the day).
      for (const undo of release.reverse()) await undo().catch(() => undefined);
      throw refusal(error, voter) ?? chainUnreachable(error, rpcUrl);
    }
    metrics.relayerGas.inc(Number(sent.gas));
    // Only names the transaction in a later refusal: the claim already holds, whether or not this write lands.
    await keyValue.set(keys.voteKey, sent.txHash, keys.claimTtlMs).catch(() => undefined);
    return sent.txHash;
  }
}

/** The transaction hash a vote claim holds once its transaction was sent. */
function txHashIn(claim: string | undefined): string | undefined {
  return claim?.startsWith("0x") === true ? claim : undefined;
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
