-- The escrow's DAO-set parameters, so the API can show the fee and windows in force without calling the chain.

-- One row per TermsUpdated: the terms orders from first_order_id on snapshot. A later update with the same
-- first_order_id (no order in between) replaces the row, exactly as the contract's checkpoint history does.
CREATE TABLE indexer.escrow_terms (
  chain_id integer NOT NULL,
  first_order_id numeric(78, 0) NOT NULL,
  fee_bps integer NOT NULL,
  ship_window bigint NOT NULL,
  confirm_window bigint NOT NULL,
  arbitration_timeout bigint NOT NULL,
  updated_block bigint NOT NULL,
  PRIMARY KEY (chain_id, first_order_id)
);

CREATE TABLE indexer.escrow_payment_tokens (
  chain_id integer NOT NULL,
  token text NOT NULL,
  allowed boolean NOT NULL,
  updated_block bigint NOT NULL,
  PRIMARY KEY (chain_id, token)
);

-- Only written once the guardian pauses or unpauses; no row means new orders were never paused.
CREATE TABLE indexer.escrow_status (
  chain_id integer PRIMARY KEY,
  paused boolean NOT NULL,
  updated_block bigint NOT NULL
);
