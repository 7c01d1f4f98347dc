import { encodeAbiParameters, encodeFunctionData, keccak256, toHex, zeroAddress } from "viem";
import type { Address, EncodeFunctionDataParameters, Hex, Log } from "viem";

import { agriGovernorAbi, agriTokenAbi, marketplaceEscrowAbi, mockUSDCAbi } from "../protocol/generated/contracts.js";
import { seededRandom } from "../test/support/seeded-random.js";

import type { LoadChain, LoadTransaction } from "./load-chain.js";

/** The deployed contracts the load drives. */
export interface LoadContracts {
  escrow: Address;
  token: Address;
  governor: Address;
  usdc: Address;
  treasury: Address;
}

/** Who plays which part; every account is one the node signs for. */
export interface LoadCast {
  arbiter: Address;
  /** Hold the AGRI allocated at deployment, and hand part of it to the members. */
  voters: readonly Address[];
  buyers: readonly Address[];
  farmers: readonly Address[];
  /** Governance members: they receive AGRI, delegate, transfer, propose and vote. */
  members: readonly Address[];
}

/** What the load put on the chain, by kind. */
export interface LoadSummary {
  rounds: number;
  blocks: number;
  transactions: number;
  orders: number;
  proposals: number;
  votes: number;
}

interface Order {
  id: bigint;
  buyer: Address;
  seller: Address;
  token: Address;
}

type OrderCreatedLog = Log & {
  eventName: "OrderCreated";
  args: { orderId: bigint; buyer: Address; seller: Address; token: Address };
};

const ETHER = 10n ** 18n;
const USDC = 10n ** 6n;
const AGRI = 10n ** 18n;
const MEMBER_AGRI = 100_000n * AGRI;
const BUYER_USDC = 100_000_000n * USDC;
/** Members who always keep their votes (self-delegated), so each can propose in any round. */
const PROPOSERS = 20;
const PROPOSALS_PER_ROUND = 3;
const TRANSFERS_PER_ROUND = 40;
const REDELEGATIONS_PER_ROUND = 6;

// Explicit gas per call, generous but measured (bench/gas.ts): no estimate round trip, and an out-of-gas shows up
// as a missing event in the wave check.
const GAS = {
  createOrder: 300_000n,
  createOrdersBase: 200_000n,
  createOrdersPerOrder: 150_000n,
  markShipped: 150_000n,
  confirmDelivery: 200_000n,
  declineOrder: 200_000n,
  openDispute: 150_000n,
  rule: 250_000n,
  proposeSettlement: 150_000n,
  acceptSettlement: 250_000n,
  withdraw: 150_000n,
  transfer: 250_000n,
  delegate: 250_000n,
  propose: 600_000n,
  castVote: 250_000n,
  queue: 500_000n,
  execute: 600_000n,
  usdc: 150_000n,
} as const;

/**
 * Generates a marketplace's and a DAO's worth of activity, round after round: buyers open ETH and MockUSDC orders
 * (single and batched), farmers ship or decline, buyers confirm or dispute, the arbiter rules, parties settle, and
 * everyone withdraws; members transfer AGRI, redelegate, propose and vote. Every wave is checked for reverts.
 */
export function createIndexerLoad(deps: { chain: LoadChain; contracts: LoadContracts; cast: LoadCast; seed?: number }) {
  const { chain, contracts, cast } = deps;
  // Seeded, so every run of the bench puts the same load on the chain.
  const random = seededRandom(deps.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const between = (low: bigint, high: bigint) => low + BigInt(Math.floor(random() * Number(high - low + 1n)));

  let refCounter = 0;
  let blocks = 0;
  let transactions = 0;
  let orders = 0;
  let votes = 0;
  const proposals: { id: bigint; description: string; calldata: Hex }[] = [];
  /** Credits the escrow holds per account and token, so every withdrawal has something to withdraw. */
  const credits = new Set<string>();
  /** Funded orders kept for the head-following phase, shipped one per block there. */
  const reserve: Order[] = [];
  const delegateOf = new Map<Address, Address>();

  const escrowTx = (
    from: Address,
    call: EscrowCall,
    gas: bigint,
    emits: string,
    extra: Partial<LoadTransaction> = {},
  ) =>
    ({
      from,
      to: contracts.escrow,
      data: encodeFunctionData({ abi: marketplaceEscrowAbi, ...call }),
      gas,
      emits,
      ...extra,
    }) satisfies LoadTransaction;
  const tokenTx = (from: Address, call: TokenCall, gas: bigint, emits: string) =>
    ({
      from,
      to: contracts.token,
      data: encodeFunctionData({ abi: agriTokenAbi, ...call }),
      gas,
      emits,
    }) satisfies LoadTransaction;
  const governorTx = (from: Address, call: GovernorCall, gas: bigint, emits: string) =>
    ({
      from,
      to: contracts.governor,
      data: encodeFunctionData({ abi: agriGovernorAbi, ...call }),
      gas,
      emits,
    }) satisfies LoadTransaction;
  const usdcTx = (from: Address, call: UsdcCall) =>
    ({
      from,
      to: contracts.usdc,
      data: encodeFunctionData({ abi: mockUSDCAbi, ...call }),
      gas: GAS.usdc,
      // MockUSDC is not indexed; its own events prove the call went through.
      emits: call.functionName === "mint" ? "Transfer" : "Approval",
    }) satisfies LoadTransaction;

  async function wave(txs: LoadTransaction[]) {
    const mined = await chain.mineWave(txs);
    blocks += Number(mined.range.toBlock - mined.range.fromBlock + 1n);
    transactions += txs.length;
    return mined;
  }

  const nextRef = () => keccak256(toHex(`bench-order-${++refCounter}`));
  const credit = (account: Address, token: Address) => credits.add(`${account}:${token}`);

  /** One order-creating transaction from `buyer`: a single ETH or USDC order, or a cart of several farmers. */
  function createFrom(buyer: Address): LoadTransaction {
    const roll = random();
    const token = roll < 0.65 || (roll >= 0.8 && roll < 0.9) ? zeroAddress : contracts.usdc;
    const amount = () => (token === zeroAddress ? between(1n, 100n) * (ETHER / 100n) : between(5n, 500n) * USDC);
    if (roll < 0.8) {
      const value = amount();
      const args = [pick(cast.farmers), token, value, nextRef()] as const;
      return escrowTx(buyer, { functionName: "createOrder", args }, GAS.createOrder, "OrderCreated", {
        value: token === zeroAddress ? value : 0n,
      });
    }
    const requests = Array.from({ length: 2 + Math.floor(random() * 3) }, () => ({
      seller: pick(cast.farmers),
      amount: amount(),
      ref: nextRef(),
    }));
    const total = requests.reduce((sum, request) => sum + request.amount, 0n);
    return escrowTx(
      buyer,
      { functionName: "createOrders", args: [token, requests] },
      GAS.createOrdersBase + GAS.createOrdersPerOrder * BigInt(requests.length),
      "OrderCreated",
      { value: token === zeroAddress ? total : 0n, count: requests.length },
    );
  }

  function createdOrders(logs: Log[]): Order[] {
    return logs
      .filter((log): log is OrderCreatedLog => (log as OrderCreatedLog).eventName === "OrderCreated")
      .map(({ args }) => ({ id: args.orderId, buyer: args.buyer, seller: args.seller, token: args.token }));
  }

  /** Hands AGRI to the members and USDC to the buyers, and has everyone delegate. */
  async function setUp() {
    const funding: LoadTransaction[] = cast.members.map((member, i) =>
      tokenTx(
        cast.voters[i % cast.voters.length],
        { functionName: "transfer", args: [member, MEMBER_AGRI] },
        GAS.transfer,
        "Transfer",
      ),
    );
    for (const buyer of cast.buyers) funding.push(usdcTx(buyer, { functionName: "mint", args: [buyer, BUYER_USDC] }));
    await wave(funding);

    const delegations: LoadTransaction[] = [...cast.voters, ...cast.members].map((account, i) => {
      const delegatee = i < cast.voters.length + PROPOSERS || random() < 0.5 ? account : pick(proposersList());
      delegateOf.set(account, delegatee);
      return tokenTx(account, { functionName: "delegate", args: [delegatee] }, GAS.delegate, "DelegateChanged");
    });
    for (const buyer of cast.buyers) {
      delegations.push(usdcTx(buyer, { functionName: "approve", args: [contracts.escrow, 2n ** 256n - 1n] }));
    }
    await wave(delegations);
  }

  const proposersList = () => cast.members.slice(0, PROPOSERS);

  /** One round of the marketplace and the DAO; see the comments at each wave for what depends on what. */
  async function round(index: number, options: { keepFunded: boolean }) {
    // Wave A: orders opened, proposals made, AGRI moved between members.
    const roundProposals = Array.from({ length: PROPOSALS_PER_ROUND }, (_, i) => {
      const description = `Bench round ${index} proposal ${i}: set the fee to ${200 + ((index + i) % 50)} bps`;
      const calldata = encodeFunctionData({
        abi: marketplaceEscrowAbi,
        functionName: "setFee",
        args: [200 + ((index + i) % 50)],
      });
      return { description, calldata, proposer: proposersList()[(index * PROPOSALS_PER_ROUND + i) % PROPOSERS] };
    });
    const waveA: LoadTransaction[] = roundProposals.map(({ description, calldata, proposer }) =>
      governorTx(
        proposer,
        { functionName: "propose", args: [[contracts.escrow], [0n], [calldata], description] },
        GAS.propose,
        "ProposalCreated",
      ),
    );
    for (const buyer of cast.buyers) waveA.push(createFrom(buyer));
    for (let i = 0; i < TRANSFERS_PER_ROUND; i++) {
      const from = pick(cast.members);
      let to = pick(cast.members);
      if (to === from) to = cast.members[(cast.members.indexOf(from) + 1) % cast.members.length];
      waveA.push(
        tokenTx(from, { functionName: "transfer", args: [to, between(1n, 100n) * AGRI] }, GAS.transfer, "Transfer"),
      );
    }
    const created = createdOrders((await wave(waveA)).logs);
    orders += created.length;
    for (const proposal of roundProposals) {
      const id = proposalIdOf(contracts.escrow, proposal.calldata, proposal.description);
      proposals.push({ id, description: proposal.description, calldata: proposal.calldata });
    }

    // Wave B: farmers ship most orders and decline a few; some buyers dispute before shipping.
    const shipped: Order[] = [];
    const disputed: { order: Order; disputant: Address }[] = [];
    const waveB: LoadTransaction[] = [];
    for (const order of created) {
      if (options.keepFunded) {
        reserve.push(order);
        continue;
      }
      const roll = random();
      if (roll < 0.04) {
        waveB.push(
          escrowTx(order.seller, { functionName: "declineOrder", args: [order.id] }, GAS.declineOrder, "OrderRefunded"),
        );
        credit(order.buyer, order.token);
      } else if (roll < 0.06) {
        waveB.push(
          escrowTx(order.buyer, { functionName: "openDispute", args: [order.id] }, GAS.openDispute, "OrderDisputed"),
        );
        disputed.push({ order, disputant: order.buyer });
      } else {
        waveB.push(
          escrowTx(order.seller, { functionName: "markShipped", args: [order.id] }, GAS.markShipped, "OrderShipped"),
        );
        shipped.push(order);
      }
    }
    await wave(waveB);

    // Wave C: buyers confirm most shipped orders, either party disputes some; members vote (the voting delay of
    // one second has passed: each block is at least a second after its parent).
    const waveC: LoadTransaction[] = [];
    for (const order of shipped) {
      const roll = random();
      if (roll < 0.85) {
        waveC.push(
          escrowTx(
            order.buyer,
            { functionName: "confirmDelivery", args: [order.id] },
            GAS.confirmDelivery,
            "OrderCompleted",
          ),
        );
        credit(order.seller, order.token);
        credit(contracts.treasury, order.token);
      } else if (roll < 0.94) {
        const disputant = random() < 0.7 ? order.buyer : order.seller;
        waveC.push(
          escrowTx(disputant, { functionName: "openDispute", args: [order.id] }, GAS.openDispute, "OrderDisputed"),
        );
        disputed.push({ order, disputant });
      }
    }
    for (const proposal of proposals.slice(-PROPOSALS_PER_ROUND)) {
      for (const voter of [...cast.voters, ...cast.members]) {
        const support = cast.voters.includes(voter) ? 1 : pickSupport(random());
        const style = random();
        if (style < 0.7) {
          waveC.push(
            governorTx(voter, { functionName: "castVote", args: [proposal.id, support] }, GAS.castVote, "VoteCast"),
          );
        } else if (style < 0.95) {
          const reason = `Round ${index}: ${["for the farmers", "too early", "no opinion"][support]}`;
          waveC.push(
            governorTx(
              voter,
              { functionName: "castVoteWithReason", args: [proposal.id, support, reason] },
              GAS.castVote,
              "VoteCast",
            ),
          );
        } else {
          waveC.push(
            governorTx(
              voter,
              { functionName: "castVoteWithReasonAndParams", args: [proposal.id, support, "with params", "0x01"] },
              GAS.castVote,
              "VoteCastWithParams",
            ),
          );
        }
        votes += 1;
      }
    }
    await wave(waveC);

    // Wave D: the arbiter rules half the disputes; in the other half the counterparty proposes a settlement.
    // Some members move their delegation.
    const waveD: LoadTransaction[] = [];
    const settling: { order: Order; acceptor: Address; buyerBps: number }[] = [];
    for (const { order, disputant } of disputed) {
      const buyerBps = 1_000 + Math.floor(random() * 8_000);
      credit(order.buyer, order.token);
      credit(order.seller, order.token);
      credit(contracts.treasury, order.token);
      if (random() < 0.5) {
        waveD.push(
          escrowTx(cast.arbiter, { functionName: "rule", args: [order.id, buyerBps] }, GAS.rule, "OrderResolved"),
        );
      } else {
        const proposer = disputant === order.buyer ? order.seller : order.buyer;
        waveD.push(
          escrowTx(
            proposer,
            { functionName: "proposeSettlement", args: [order.id, buyerBps] },
            GAS.proposeSettlement,
            "SettlementProposed",
          ),
        );
        settling.push({ order, acceptor: disputant, buyerBps });
      }
    }
    for (let i = 0; i < REDELEGATIONS_PER_ROUND; i++) {
      const member = cast.members[PROPOSERS + Math.floor(random() * (cast.members.length - PROPOSERS))];
      const current = delegateOf.get(member);
      let next = pick(proposersList());
      if (next === current) next = member === current ? proposersList()[0] : member;
      if (next === current) continue;
      delegateOf.set(member, next);
      waveD.push(tokenTx(member, { functionName: "delegate", args: [next] }, GAS.delegate, "DelegateChanged"));
    }
    await wave(waveD);

    // Wave E: settlements accepted; every other round, everyone with a credit withdraws it (the treasury's by a
    // keeper, as anyone may).
    const waveE: LoadTransaction[] = settling.map(({ order, acceptor, buyerBps }) =>
      escrowTx(
        acceptor,
        { functionName: "acceptSettlement", args: [order.id, buyerBps] },
        GAS.acceptSettlement,
        "OrderResolved",
      ),
    );
    if (index % 2 === 1) {
      for (const key of credits) {
        const [account, token] = key.split(":") as [Address, Address];
        if (account === contracts.treasury) {
          waveE.push(
            escrowTx(
              cast.buyers[0],
              { functionName: "withdrawFor", args: [account, token] },
              GAS.withdraw,
              "Withdrawn",
            ),
          );
        } else {
          waveE.push(
            escrowTx(account, { functionName: "withdraw", args: [token, account] }, GAS.withdraw, "Withdrawn"),
          );
        }
      }
      credits.clear();
    }
    await wave(waveE);
  }

  return {
    /** Sets up the accounts, then runs `rounds` rounds; the last one leaves its orders funded for the head phase. */
    async run(rounds: number, onRound?: (round: number) => void): Promise<LoadSummary> {
      await setUp();
      for (let index = 0; index < rounds; index++) {
        await round(index, { keepFunded: index === rounds - 1 });
        onRound?.(index + 1);
      }
      await enactLastProposals();
      return { rounds, blocks, transactions, orders, proposals: proposals.length, votes };
    },

    /**
     * A few transactions for one block of the head-following phase: new orders in ETH and USDC, an AGRI transfer,
     * and a shipment of a funded order left by the last round.
     */
    headBlock(): LoadTransaction[] {
      const txs = [createFrom(pick(cast.buyers)), createFrom(pick(cast.buyers)), createFrom(pick(cast.buyers))];
      const from = pick(cast.members);
      const to = from === cast.members[0] ? cast.members[1] : cast.members[0];
      txs.push(tokenTx(from, { functionName: "transfer", args: [to, AGRI] }, GAS.transfer, "Transfer"));
      const order = reserve.shift();
      if (order !== undefined) {
        txs.push(
          escrowTx(order.seller, { functionName: "markShipped", args: [order.id] }, GAS.markShipped, "OrderShipped"),
        );
      }
      return txs;
    },
  };

  /** Queues and executes the last round's proposals once their vote is over, as the DAO would. */
  async function enactLastProposals() {
    const last = proposals.slice(-PROPOSALS_PER_ROUND);
    const args = (p: (typeof last)[number]) =>
      [[contracts.escrow], [0n], [p.calldata], keccak256(toHex(p.description))] as const;
    await chain.increaseTime(400);
    await wave(
      last.map((p) =>
        governorTx(cast.members[0], { functionName: "queue", args: args(p) }, GAS.queue, "ProposalQueued"),
      ),
    );
    await chain.increaseTime(61);
    await wave(
      last.map((p) =>
        governorTx(cast.members[0], { functionName: "execute", args: args(p) }, GAS.execute, "ProposalExecuted"),
      ),
    );
  }
}

type EscrowCall = Omit<EncodeFunctionDataParameters<typeof marketplaceEscrowAbi>, "abi">;
type TokenCall = Omit<EncodeFunctionDataParameters<typeof agriTokenAbi>, "abi">;
type GovernorCall = Omit<EncodeFunctionDataParameters<typeof agriGovernorAbi>, "abi">;
type UsdcCall = Omit<EncodeFunctionDataParameters<typeof mockUSDCAbi>, "abi">;

/** GovernorCountingSimple: 70% for, 20% against, 10% abstain. */
function pickSupport(roll: number): number {
  return roll < 0.7 ? 1 : roll < 0.9 ? 0 : 2;
}

/** Governor.hashProposal, computed locally so no call waits on the node. */
function proposalIdOf(target: Address, calldata: Hex, description: string): bigint {
  return BigInt(
    keccak256(
      encodeAbiParameters(
        [{ type: "address[]" }, { type: "uint256[]" }, { type: "bytes[]" }, { type: "bytes32" }],
        [[target], [0n], [calldata], keccak256(toHex(description))],
      ),
    ),
  );
}
