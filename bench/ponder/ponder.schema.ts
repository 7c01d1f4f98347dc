import { onchainTable, primaryKey } from "ponder";

// The AgriDAO indexer's read models (indexer/migrations), as Ponder tables: the same rows for the same events.

export const escrowOrders = onchainTable("escrow_orders", (t) => ({
  orderId: t.bigint().primaryKey(),
  ref: t.hex().notNull(),
  buyer: t.hex().notNull(),
  seller: t.hex().notNull(),
  token: t.hex().notNull(),
  amount: t.bigint().notNull(),
  state: t.text().notNull(),
  feeBps: t.integer().notNull(),
  shipWindow: t.bigint().notNull(),
  confirmWindow: t.bigint().notNull(),
  arbitrationTimeout: t.bigint().notNull(),
  deadline: t.bigint().notNull(),
  shippedBeforeDispute: t.boolean().notNull(),
  disputant: t.hex(),
  settlementProposer: t.hex(),
  settlementBuyerBps: t.integer(),
  resolution: t.text(),
  arbiter: t.hex(),
  buyerAmount: t.bigint(),
  sellerAmount: t.bigint(),
  fee: t.bigint(),
  byTimeout: t.boolean(),
  createdBlock: t.bigint().notNull(),
  createdTx: t.hex().notNull(),
  updatedBlock: t.bigint().notNull(),
}));

export const escrowOrderHistory = onchainTable(
  "escrow_order_history",
  (t) => ({
    orderId: t.bigint().notNull(),
    state: t.text().notNull(),
    eventName: t.text().notNull(),
    blockNumber: t.bigint().notNull(),
    blockTimestamp: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
    details: t.jsonb().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.orderId, table.blockNumber, table.logIndex] }) }),
);

export const escrowCredits = onchainTable(
  "escrow_credits",
  (t) => ({ account: t.hex().notNull(), token: t.hex().notNull(), amount: t.bigint().notNull() }),
  (table) => ({ pk: primaryKey({ columns: [table.account, table.token] }) }),
);

export const escrowTerms = onchainTable("escrow_terms", (t) => ({
  firstOrderId: t.bigint().primaryKey(),
  feeBps: t.integer().notNull(),
  shipWindow: t.bigint().notNull(),
  confirmWindow: t.bigint().notNull(),
  arbitrationTimeout: t.bigint().notNull(),
  updatedBlock: t.bigint().notNull(),
}));

export const proposals = onchainTable("proposals", (t) => ({
  proposalId: t.bigint().primaryKey(),
  proposer: t.hex().notNull(),
  targets: t.hex().array().notNull(),
  values: t.bigint().array().notNull(),
  signatures: t.text().array().notNull(),
  calldatas: t.hex().array().notNull(),
  description: t.text().notNull(),
  voteStart: t.bigint().notNull(),
  voteEnd: t.bigint().notNull(),
  extendedDeadline: t.bigint(),
  forVotes: t.bigint().notNull(),
  againstVotes: t.bigint().notNull(),
  abstainVotes: t.bigint().notNull(),
  eta: t.bigint(),
  queued: t.boolean().notNull(),
  executed: t.boolean().notNull(),
  canceled: t.boolean().notNull(),
  createdBlock: t.bigint().notNull(),
  createdTx: t.hex().notNull(),
}));

export const votes = onchainTable(
  "votes",
  (t) => ({
    proposalId: t.bigint().notNull(),
    voter: t.hex().notNull(),
    support: t.integer().notNull(),
    weight: t.bigint().notNull(),
    reason: t.text().notNull(),
    params: t.hex(),
    blockNumber: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.proposalId, table.voter] }) }),
);

export const delegates = onchainTable("delegates", (t) => ({
  account: t.hex().primaryKey(),
  delegate: t.hex(),
  votingPower: t.bigint().notNull(),
}));

export const tokenBalances = onchainTable("token_balances", (t) => ({
  account: t.hex().primaryKey(),
  balance: t.bigint().notNull(),
}));

export const escrowPaymentTokens = onchainTable("escrow_payment_tokens", (t) => ({
  token: t.hex().primaryKey(),
  allowed: t.boolean().notNull(),
  updatedBlock: t.bigint().notNull(),
}));

export const escrowStatus = onchainTable("escrow_status", (t) => ({
  chainId: t.integer().primaryKey(),
  paused: t.boolean().notNull(),
  updatedBlock: t.bigint().notNull(),
}));
