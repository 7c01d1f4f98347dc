-- Who holds each AccessControl role of the indexed contracts (the escrow's admin, guardians and arbiters), so readers
-- ask a table instead of scanning the raw events. One row per role and account ever granted; a revoke keeps the row
-- with `holds` false, as escrow_payment_tokens keeps a token that is no longer allowed.
CREATE TABLE indexer.role_holders (
  chain_id integer NOT NULL,
  contract_name text NOT NULL,
  role text NOT NULL,
  account text NOT NULL,
  holds boolean NOT NULL,
  updated_block bigint NOT NULL,
  PRIMARY KEY (chain_id, contract_name, role, account)
);

CREATE TRIGGER journal_change AFTER INSERT OR UPDATE OR DELETE ON indexer.role_holders
  FOR EACH ROW EXECUTE FUNCTION indexer.journal_change();

-- The roles granted and revoked before this table existed, from the stored events: the latest grant or revoke of a
-- role to an account decides, exactly as applying them in order does.
INSERT INTO indexer.role_holders (chain_id, contract_name, role, account, holds, updated_block)
SELECT DISTINCT ON (chain_id, contract_name, lower(args->>'role'), lower(args->>'account'))
       chain_id, contract_name, lower(args->>'role'), lower(args->>'account'), event_name = 'RoleGranted', block_number
  FROM indexer.events
 WHERE event_name IN ('RoleGranted', 'RoleRevoked')
 ORDER BY chain_id, contract_name, lower(args->>'role'), lower(args->>'account'), block_number DESC, log_index DESC;

-- The undo log of the blocks kept so far has no entries for these rows: a reorg over them rebuilds from the stored
-- events instead of undoing.
UPDATE indexer.blocks SET journaled = false;
