-- The indexer's raw store (blocks, events, checkpoints) and the read models derived from the events.
-- Addresses are lower-case hex text; uint256 values are NUMERIC(78,0), which holds every uint256 exactly.

CREATE TABLE indexer.blocks (
  chain_id integer NOT NULL,
  number bigint NOT NULL,
  hash text NOT NULL,
  parent_hash text NOT NULL,
  timestamp bigint NOT NULL,
  PRIMARY KEY (chain_id, hash)
);
CREATE INDEX blocks_by_number ON indexer.blocks (chain_id, number);

-- Every decoded log of our contracts, so read models can be rebuilt without the chain.
-- block_timestamp is kept here because the escrow's deadline after a final transition is that block's time.
CREATE TABLE indexer.events (
  chain_id integer NOT NULL,
  block_number bigint NOT NULL,
  block_hash text NOT NULL,
  block_timestamp bigint NOT NULL,
  tx_hash text NOT NULL,
  log_index integer NOT NULL,
  contract text NOT NULL,
  contract_name text NOT NULL,
  event_name text NOT NULL,
  args jsonb NOT NULL,
  UNIQUE (chain_id, block_hash, log_index)
);
CREATE INDEX events_in_order ON indexer.events (chain_id, block_number, log_index);

CREATE TABLE indexer.checkpoints (
  chain_id integer PRIMARY KEY,
  block_number bigint NOT NULL,
  block_hash text NOT NULL
);

CREATE TABLE indexer.escrow_orders (
  chain_id integer NOT NULL,
  order_id numeric(78, 0) NOT NULL,
  ref text NOT NULL,
  buyer text NOT NULL,
  seller text NOT NULL,
  token text NOT NULL,
  amount numeric(78, 0) NOT NULL,
  state text NOT NULL,
  fee_bps integer NOT NULL,
  ship_window bigint NOT NULL,
  confirm_window bigint NOT NULL,
  arbitration_timeout bigint NOT NULL,
  -- Same meaning as IMarketplaceEscrow.OrderView.deadline: depends on the state.
  deadline bigint NOT NULL,
  shipped_before_dispute boolean NOT NULL DEFAULT false,
  disputant text,
  settlement_proposer text,
  settlement_buyer_bps integer,
  resolution text,
  arbiter text,
  buyer_amount numeric(78, 0),
  seller_amount numeric(78, 0),
  fee numeric(78, 0),
  by_timeout boolean,
  created_block bigint NOT NULL,
  created_tx text NOT NULL,
  updated_block bigint NOT NULL,
  PRIMARY KEY (chain_id, order_id)
);
CREATE INDEX escrow_orders_by_buyer ON indexer.escrow_orders (chain_id, buyer, order_id);
CREATE INDEX escrow_orders_by_seller ON indexer.escrow_orders (chain_id, seller, order_id);
CREATE UNIQUE INDEX escrow_orders_by_ref ON indexer.escrow_orders (chain_id, ref);

CREATE TABLE indexer.escrow_order_history (
  chain_id integer NOT NULL,
  order_id numeric(78, 0) NOT NULL,
  state text NOT NULL,
  event_name text NOT NULL,
  block_number bigint NOT NULL,
  block_timestamp bigint NOT NULL,
  tx_hash text NOT NULL,
  log_index integer NOT NULL,
  details jsonb NOT NULL,
  PRIMARY KEY (chain_id, order_id, block_number, log_index)
);

CREATE TABLE indexer.escrow_credits (
  chain_id integer NOT NULL,
  account text NOT NULL,
  token text NOT NULL,
  amount numeric(78, 0) NOT NULL,
  PRIMARY KEY (chain_id, account, token),
  CHECK (amount >= 0)
);

CREATE TABLE indexer.proposals (
  chain_id integer NOT NULL,
  proposal_id numeric(78, 0) NOT NULL,
  proposer text NOT NULL,
  targets text[] NOT NULL,
  "values" numeric(78, 0)[] NOT NULL,
  signatures text[] NOT NULL,
  calldatas text[] NOT NULL,
  description text NOT NULL,
  vote_start numeric(78, 0) NOT NULL,
  vote_end numeric(78, 0) NOT NULL,
  -- Set when a late quorum pushed the deadline back (GovernorPreventLateQuorum).
  extended_deadline numeric(78, 0),
  for_votes numeric(78, 0) NOT NULL DEFAULT 0,
  against_votes numeric(78, 0) NOT NULL DEFAULT 0,
  abstain_votes numeric(78, 0) NOT NULL DEFAULT 0,
  eta numeric(78, 0),
  queued boolean NOT NULL DEFAULT false,
  executed boolean NOT NULL DEFAULT false,
  canceled boolean NOT NULL DEFAULT false,
  created_block bigint NOT NULL,
  created_tx text NOT NULL,
  PRIMARY KEY (chain_id, proposal_id)
);

CREATE TABLE indexer.votes (
  chain_id integer NOT NULL,
  proposal_id numeric(78, 0) NOT NULL,
  voter text NOT NULL,
  support smallint NOT NULL,
  weight numeric(78, 0) NOT NULL,
  reason text NOT NULL,
  params text,
  block_number bigint NOT NULL,
  tx_hash text NOT NULL,
  log_index integer NOT NULL,
  -- The governor lets each account vote once per proposal.
  PRIMARY KEY (chain_id, proposal_id, voter)
);

CREATE TABLE indexer.delegates (
  chain_id integer NOT NULL,
  account text NOT NULL,
  -- NULL until the account first delegates.
  delegate text,
  voting_power numeric(78, 0) NOT NULL DEFAULT 0,
  PRIMARY KEY (chain_id, account)
);
CREATE INDEX delegates_by_delegate ON indexer.delegates (chain_id, delegate);

CREATE TABLE indexer.token_balances (
  chain_id integer NOT NULL,
  account text NOT NULL,
  balance numeric(78, 0) NOT NULL,
  PRIMARY KEY (chain_id, account),
  CHECK (balance >= 0)
);
