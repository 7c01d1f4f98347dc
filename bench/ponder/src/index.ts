import { ponder } from "ponder:registry";
import type { Context } from "ponder:registry";
import {
  delegates,
  escrowCredits,
  escrowOrderHistory,
  escrowOrders,
  escrowPaymentTokens,
  escrowStatus,
  escrowTerms,
  proposals,
  tokenBalances,
  votes,
} from "ponder:schema";
import type { Address, Hex } from "viem";
import { zeroAddress } from "viem";

// The same read models the AgriDAO indexer's handlers (indexer/src/handlers) keep, written the Ponder way, so the
// benchmark compares the two on equal work.

const RESOLUTIONS = ["Settlement", "Ruling", "Timeout"] as const;
const lower = (address: Address) => address.toLowerCase() as Hex;

interface Position {
  block: { number: bigint; timestamp: bigint };
  transaction: { hash: Hex };
  log: { logIndex: number };
}

async function appendHistory(
  context: Context,
  event: Position & { name: string; args: object },
  orderId: bigint,
  state: string,
) {
  await context.db.insert(escrowOrderHistory).values({
    orderId,
    state,
    eventName: event.name,
    blockNumber: event.block.number,
    blockTimestamp: event.block.timestamp,
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
    details: JSON.parse(
      JSON.stringify(event.args, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)),
    ) as object,
  });
}

async function credit(context: Context, account: Address, token: Address, amount: bigint) {
  if (amount === 0n) return;
  await context.db
    .insert(escrowCredits)
    .values({ account: lower(account), token: lower(token), amount })
    .onConflictDoUpdate((row) => ({ amount: row.amount + amount }));
}

const treasury = () => process.env.PONDER_TREASURY_ADDRESS as Address;

ponder.on("MarketplaceEscrow:OrderCreated", async ({ event, context }) => {
  const { args } = event;
  await context.db.insert(escrowOrders).values({
    orderId: args.orderId,
    ref: args.ref,
    buyer: lower(args.buyer),
    seller: lower(args.seller),
    token: lower(args.token),
    amount: args.amount,
    state: "Funded",
    feeBps: args.feeBps,
    shipWindow: args.shipDeadline - event.block.timestamp,
    confirmWindow: BigInt(args.confirmWindow),
    arbitrationTimeout: BigInt(args.arbitrationTimeout),
    deadline: args.shipDeadline,
    shippedBeforeDispute: false,
    createdBlock: event.block.number,
    createdTx: event.transaction.hash,
    updatedBlock: event.block.number,
  });
  await appendHistory(context, { ...event, name: "OrderCreated" }, args.orderId, "Funded");
});

ponder.on("MarketplaceEscrow:OrderShipped", async ({ event, context }) => {
  await context.db
    .update(escrowOrders, { orderId: event.args.orderId })
    .set({ state: "Shipped", deadline: event.args.confirmDeadline, updatedBlock: event.block.number });
  await appendHistory(context, { ...event, name: "OrderShipped" }, event.args.orderId, "Shipped");
});

ponder.on("MarketplaceEscrow:OrderCompleted", async ({ event, context }) => {
  const { args } = event;
  await context.db.update(escrowOrders, { orderId: args.orderId }).set({
    state: "Completed",
    deadline: event.block.timestamp,
    sellerAmount: args.sellerAmount,
    fee: args.fee,
    byTimeout: args.byTimeout,
    updatedBlock: event.block.number,
  });
  await credit(context, args.seller, args.token, args.sellerAmount);
  await credit(context, treasury(), args.token, args.fee);
  await appendHistory(context, { ...event, name: "OrderCompleted" }, args.orderId, "Completed");
});

ponder.on("MarketplaceEscrow:OrderRefunded", async ({ event, context }) => {
  const { args } = event;
  await context.db.update(escrowOrders, { orderId: args.orderId }).set({
    state: "Refunded",
    deadline: event.block.timestamp,
    buyerAmount: args.amount,
    byTimeout: args.byTimeout,
    updatedBlock: event.block.number,
  });
  await credit(context, args.buyer, args.token, args.amount);
  await appendHistory(context, { ...event, name: "OrderRefunded" }, args.orderId, "Refunded");
});

ponder.on("MarketplaceEscrow:OrderDisputed", async ({ event, context }) => {
  await context.db.update(escrowOrders, { orderId: event.args.orderId }).set((row) => ({
    shippedBeforeDispute: row.state === "Shipped",
    state: "Disputed",
    deadline: event.args.arbitrationDeadline,
    disputant: lower(event.args.disputant),
    updatedBlock: event.block.number,
  }));
  await appendHistory(context, { ...event, name: "OrderDisputed" }, event.args.orderId, "Disputed");
});

ponder.on("MarketplaceEscrow:SettlementProposed", async ({ event, context }) => {
  await context.db.update(escrowOrders, { orderId: event.args.orderId }).set({
    settlementProposer: lower(event.args.proposer),
    settlementBuyerBps: event.args.buyerBps,
    updatedBlock: event.block.number,
  });
  await appendHistory(context, { ...event, name: "SettlementProposed" }, event.args.orderId, "Disputed");
});

ponder.on("MarketplaceEscrow:OrderResolved", async ({ event, context }) => {
  const { args } = event;
  const order = await context.db.update(escrowOrders, { orderId: args.orderId }).set({
    state: "Resolved",
    deadline: event.block.timestamp,
    resolution: RESOLUTIONS[args.resolution],
    arbiter: lower(args.arbiter),
    buyerAmount: args.buyerAmount,
    sellerAmount: args.sellerAmount,
    fee: args.fee,
    updatedBlock: event.block.number,
  });
  await credit(context, order.buyer, args.token, args.buyerAmount);
  await credit(context, order.seller, args.token, args.sellerAmount);
  await credit(context, treasury(), args.token, args.fee);
  await appendHistory(context, { ...event, name: "OrderResolved" }, args.orderId, "Resolved");
});

ponder.on("MarketplaceEscrow:Withdrawn", async ({ event, context }) => {
  const { account, token, amount } = event.args;
  await context.db
    .update(escrowCredits, { account: lower(account), token: lower(token) })
    .set((row) => ({ amount: row.amount - amount }));
});

ponder.on("MarketplaceEscrow:TermsUpdated", async ({ event, context }) => {
  const { firstOrderId, terms } = event.args;
  const values = {
    feeBps: terms.feeBps,
    shipWindow: BigInt(terms.shipWindow),
    confirmWindow: BigInt(terms.confirmWindow),
    arbitrationTimeout: BigInt(terms.arbitrationTimeout),
    updatedBlock: event.block.number,
  };
  await context.db
    .insert(escrowTerms)
    .values({ firstOrderId, ...values })
    .onConflictDoUpdate(values);
});

ponder.on("MarketplaceEscrow:PaymentTokenSet", async ({ event, context }) => {
  const values = { allowed: event.args.allowed, updatedBlock: event.block.number };
  await context.db
    .insert(escrowPaymentTokens)
    .values({ token: lower(event.args.token), ...values })
    .onConflictDoUpdate(values);
});

ponder.on("MarketplaceEscrow:Paused", async ({ event, context }) => {
  const values = { paused: event.args.paused, updatedBlock: event.block.number };
  await context.db
    .insert(escrowStatus)
    .values({ chainId: context.network.chainId, ...values })
    .onConflictDoUpdate(values);
});

ponder.on("AgriGovernor:ProposalCreated", async ({ event, context }) => {
  const { args } = event;
  await context.db.insert(proposals).values({
    proposalId: args.proposalId,
    proposer: lower(args.proposer),
    targets: args.targets.map(lower),
    values: [...args.values],
    signatures: [...args.signatures],
    calldatas: [...args.calldatas],
    description: args.description,
    voteStart: args.voteStart,
    voteEnd: args.voteEnd,
    forVotes: 0n,
    againstVotes: 0n,
    abstainVotes: 0n,
    queued: false,
    executed: false,
    canceled: false,
    createdBlock: event.block.number,
    createdTx: event.transaction.hash,
  });
});

async function recordVote(
  context: Context,
  event: Position & { args: { proposalId: bigint; voter: Address; support: number; weight: bigint; reason: string } },
  params: Hex | null,
) {
  const { args } = event;
  await context.db.insert(votes).values({
    proposalId: args.proposalId,
    voter: lower(args.voter),
    support: args.support,
    weight: args.weight,
    reason: args.reason,
    params,
    blockNumber: event.block.number,
    txHash: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
  await context.db.update(proposals, { proposalId: args.proposalId }).set((row) => ({
    forVotes: row.forVotes + (args.support === 1 ? args.weight : 0n),
    againstVotes: row.againstVotes + (args.support === 0 ? args.weight : 0n),
    abstainVotes: row.abstainVotes + (args.support === 2 ? args.weight : 0n),
  }));
}

ponder.on("AgriGovernor:VoteCast", async ({ event, context }) => recordVote(context, event, null));
ponder.on("AgriGovernor:VoteCastWithParams", async ({ event, context }) =>
  recordVote(context, event, event.args.params),
);

ponder.on("AgriGovernor:ProposalQueued", async ({ event, context }) => {
  await context.db
    .update(proposals, { proposalId: event.args.proposalId })
    .set({ queued: true, eta: event.args.etaSeconds });
});

ponder.on("AgriGovernor:ProposalExecuted", async ({ event, context }) => {
  await context.db.update(proposals, { proposalId: event.args.proposalId }).set({ executed: true });
});

ponder.on("AgriGovernor:ProposalCanceled", async ({ event, context }) => {
  await context.db.update(proposals, { proposalId: event.args.proposalId }).set({ canceled: true });
});

ponder.on("AgriGovernor:ProposalExtended", async ({ event, context }) => {
  await context.db
    .update(proposals, { proposalId: event.args.proposalId })
    .set({ extendedDeadline: event.args.extendedDeadline });
});

ponder.on("AgriToken:Transfer", async ({ event, context }) => {
  const { from, to, value } = event.args;
  if (from !== zeroAddress) {
    await context.db.update(tokenBalances, { account: lower(from) }).set((row) => ({ balance: row.balance - value }));
  }
  if (to !== zeroAddress) {
    await context.db
      .insert(tokenBalances)
      .values({ account: lower(to), balance: value })
      .onConflictDoUpdate((row) => ({ balance: row.balance + value }));
  }
});

ponder.on("AgriToken:DelegateChanged", async ({ event, context }) => {
  const delegate = lower(event.args.toDelegate);
  await context.db
    .insert(delegates)
    .values({ account: lower(event.args.delegator), delegate, votingPower: 0n })
    .onConflictDoUpdate({ delegate });
});

ponder.on("AgriToken:DelegateVotesChanged", async ({ event, context }) => {
  const votingPower = event.args.newVotes;
  await context.db
    .insert(delegates)
    .values({ account: lower(event.args.delegate), votingPower })
    .onConflictDoUpdate({ votingPower });
});
