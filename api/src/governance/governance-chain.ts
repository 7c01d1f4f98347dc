import { createPublicClient, defineChain, http } from "viem";
import type { Address, Chain, PublicClient } from "viem";

import { agriGovernorAbi, agriTimelockAbi, agriTokenAbi } from "../../../protocol/generated/contracts.js";

import { chainUnreachable } from "../operations/chain-unreachable.js";

/** What the governor, its token and its timelock say now: the settings a proposal and a vote are checked against. */
export interface GovernorSettings {
  votingDelay: bigint;
  votingPeriod: bigint;
  proposalThreshold: bigint;
  quorumNumerator: bigint;
  quorumDenominator: bigint;
  lateQuorumVoteExtension: bigint;
  timelockDelay: bigint;
  tokenAddress: Address;
  timelockAddress: Address;
}

/** An account as the token and governor see it at the latest block. */
export interface GovernanceAccountState {
  votingPower: bigint;
  delegate: Address;
  balance: bigint;
  /** The governor's nonce for the account: the one its next castVoteBySig signature must carry. */
  nonce: bigint;
}

/** The EIP-712 domain Ballot signatures are made for, as the governor reports it (ERC-5267). */
export interface GovernorDomain {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: Address;
}

/** The governance contracts, read over JSON-RPC. Only what the indexer cannot answer (or must be current) is read. */
export interface GovernanceChain {
  readonly chain: Chain;
  readonly governorAddress: Address;
  readonly client: PublicClient;
  /** The latest block's timestamp: the governor's clock (ERC-6372 timestamp mode) as of the latest block. */
  latestTimestamp(): Promise<bigint>;
  settings(): Promise<GovernorSettings>;
  /** Votes needed at `timepoint`, which must be in the past; kept once read, as a past quorum never changes. */
  quorumAt(timepoint: bigint): Promise<bigint>;
  account(address: Address): Promise<GovernanceAccountState>;
  domain(): Promise<GovernorDomain>;
  nonce(voter: Address): Promise<bigint>;
  hasVoted(proposalId: bigint, voter: Address): Promise<boolean>;
  /** `AgriGovernor.state()` at the latest block, as IGovernor.ProposalState's index. */
  proposalState(proposalId: bigint): Promise<number>;
  /** The proposal's vote start and (possibly extended) end; a start of 0 means the governor never saw it. */
  proposalWindow(proposalId: bigint): Promise<{ snapshot: bigint; deadline: bigint }>;
  /**
   * The votes `voter` had at `timepoint` (a proposal's snapshot), as the governor will weigh its ballot. `latest` is
   * the latest block's timestamp: the governor answers only for earlier timepoints, and at `latest` itself the votes
   * are the current ones.
   */
  votesAt(voter: Address, timepoint: bigint, latest: bigint): Promise<bigint>;
  /** How far a vote's end moves when quorum is reached late: the most a proposal's deadline can still grow. */
  lateQuorumVoteExtension(): Promise<bigint>;
  /** An account's ETH, in wei. */
  balance(address: Address): Promise<bigint>;
}

// Past quorums are immutable, but a long-running API must not keep every one it was asked about.
const QUORUM_CACHE_SIZE = 1_000;

/** Reads the governor at `governorAddress` (and the token and timelock it names) through `rpcUrl`. */
export function createGovernanceChain(deps: {
  chainId: number;
  rpcUrl: string;
  governorAddress: Address;
}): GovernanceChain {
  const { chainId, rpcUrl, governorAddress } = deps;
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const client = createPublicClient({ chain, transport: http(rpcUrl) }) as PublicClient;
  const governor = { address: governorAddress, abi: agriGovernorAbi } as const;
  const quorums = new Map<bigint, bigint>();
  let linked: Promise<{ token: Address; timelock: Address }> | undefined;

  const linkedContracts = () =>
    (linked ??= Promise.all([
      client.readContract({ ...governor, functionName: "token" }),
      client.readContract({ ...governor, functionName: "timelock" }),
    ]).then(
      ([token, timelock]) => ({ token: token.toLowerCase() as Address, timelock: timelock.toLowerCase() as Address }),
      (error: unknown) => {
        linked = undefined;
        throw error;
      },
    ));

  const readNonce = (voter: Address) => client.readContract({ ...governor, functionName: "nonces", args: [voter] });

  return reachable(rpcUrl, {
    chain,
    governorAddress,
    client,
    async latestTimestamp() {
      return (await client.getBlock({ blockTag: "latest" })).timestamp;
    },
    async settings() {
      const { token, timelock } = await linkedContracts();
      const [
        votingDelay,
        votingPeriod,
        proposalThreshold,
        quorumNumerator,
        quorumDenominator,
        lateQuorumVoteExtension,
        timelockDelay,
      ] = await Promise.all([
        client.readContract({ ...governor, functionName: "votingDelay" }),
        client.readContract({ ...governor, functionName: "votingPeriod" }),
        client.readContract({ ...governor, functionName: "proposalThreshold" }),
        client.readContract({ ...governor, functionName: "quorumNumerator" }),
        client.readContract({ ...governor, functionName: "quorumDenominator" }),
        client.readContract({ ...governor, functionName: "lateQuorumVoteExtension" }),
        client.readContract({ address: timelock, abi: agriTimelockAbi, functionName: "getMinDelay" }),
      ]);
      return {
        votingDelay: BigInt(votingDelay),
        votingPeriod: BigInt(votingPeriod),
        proposalThreshold,
        quorumNumerator,
        quorumDenominator,
        lateQuorumVoteExtension: BigInt(lateQuorumVoteExtension),
        timelockDelay,
        tokenAddress: token,
        timelockAddress: timelock,
      };
    },
    async quorumAt(timepoint) {
      const known = quorums.get(timepoint);
      if (known !== undefined) return known;
      const quorum = await client.readContract({ ...governor, functionName: "quorum", args: [timepoint] });
      if (quorums.size >= QUORUM_CACHE_SIZE) quorums.delete(quorums.keys().next().value as bigint);
      quorums.set(timepoint, quorum);
      return quorum;
    },
    async account(address) {
      const { token } = await linkedContracts();
      const [votingPower, delegate, balance, nonce] = await Promise.all([
        client.readContract({ address: token, abi: agriTokenAbi, functionName: "getVotes", args: [address] }),
        client.readContract({ address: token, abi: agriTokenAbi, functionName: "delegates", args: [address] }),
        client.readContract({ address: token, abi: agriTokenAbi, functionName: "balanceOf", args: [address] }),
        readNonce(address),
      ]);
      return { votingPower, delegate: delegate.toLowerCase() as Address, balance, nonce };
    },
    async domain() {
      const [, name, version, domainChainId, verifyingContract] = await client.readContract({
        ...governor,
        functionName: "eip712Domain",
      });
      return { name, version, chainId: Number(domainChainId), verifyingContract: verifyingContract };
    },
    nonce: readNonce,
    hasVoted(proposalId, voter) {
      return client.readContract({ ...governor, functionName: "hasVoted", args: [proposalId, voter] });
    },
    proposalState(proposalId) {
      return client.readContract({ ...governor, functionName: "state", args: [proposalId] });
    },
    async proposalWindow(proposalId) {
      const [snapshot, deadline] = await Promise.all([
        client.readContract({ ...governor, functionName: "proposalSnapshot", args: [proposalId] }),
        client.readContract({ ...governor, functionName: "proposalDeadline", args: [proposalId] }),
      ]);
      return { snapshot, deadline };
    },
    async votesAt(voter, timepoint, latest) {
      if (timepoint < latest) {
        return client.readContract({ ...governor, functionName: "getVotes", args: [voter, timepoint] });
      }
      const { token } = await linkedContracts();
      return client.readContract({ address: token, abi: agriTokenAbi, functionName: "getVotes", args: [voter] });
    },
    async lateQuorumVoteExtension() {
      return BigInt(await client.readContract({ ...governor, functionName: "lateQuorumVoteExtension" }));
    },
    balance(address) {
      return client.getBalance({ address });
    },
  });
}

/** The same reads, with an RPC endpoint that does not answer reported as 503 rather than as a bug. */
function reachable(rpcUrl: string, chain: GovernanceChain): GovernanceChain {
  const wrapped = { ...chain } as Record<string, unknown>;
  for (const [key, value] of Object.entries(chain)) {
    if (typeof value !== "function") continue;
    wrapped[key] = async (...args: unknown[]) => {
      try {
        return await (value as (...args: unknown[]) => Promise<unknown>)(...args);
      } catch (error) {
        throw chainUnreachable(error, rpcUrl);
      }
    };
  }
  return wrapped as unknown as GovernanceChain;
}
