-- Row-level undo for the unfinalized window. While the sync engine applies a block inside the window it sets
-- `indexer.undo_block` (transaction-local), and a trigger journals every change to a read model with the row's
-- images; a reorg then undoes exactly the rows its removed blocks touched, newest change first, instead of
-- rebuilding every read model from every stored event. Backfill below the window sets nothing and journals nothing.

CREATE TABLE indexer.undo_log (
  id bigserial PRIMARY KEY,
  chain_id integer NOT NULL,
  block_number bigint NOT NULL,
  table_name text NOT NULL,
  operation text NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
  old_row jsonb,
  new_row jsonb
);
CREATE INDEX undo_log_by_block ON indexer.undo_log (chain_id, block_number);

-- Whether the block's read-model changes are in the undo log; a rollback over a block that is not falls back to
-- a rebuild from the stored events.
ALTER TABLE indexer.blocks ADD COLUMN journaled boolean NOT NULL DEFAULT false;

CREATE FUNCTION indexer.journal_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  block text := current_setting('indexer.undo_block', true);
BEGIN
  IF block IS NULL OR block = '' THEN
    RETURN NULL;
  END IF;
  INSERT INTO indexer.undo_log (chain_id, block_number, table_name, operation, old_row, new_row)
  VALUES (
    CASE WHEN TG_OP = 'DELETE' THEN OLD.chain_id ELSE NEW.chain_id END,
    block::bigint,
    TG_TABLE_NAME,
    TG_OP,
    CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END,
    CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END
  );
  RETURN NULL;
END $$;

DO $$
DECLARE
  model text;
BEGIN
  FOREACH model IN ARRAY ARRAY[
    'escrow_order_history', 'escrow_orders', 'escrow_credits', 'escrow_terms', 'escrow_payment_tokens',
    'escrow_status', 'votes', 'proposals', 'delegates', 'token_balances'
  ] LOOP
    EXECUTE format(
      'CREATE TRIGGER journal_change AFTER INSERT OR UPDATE OR DELETE ON indexer.%I
         FOR EACH ROW EXECUTE FUNCTION indexer.journal_change()',
      model
    );
  END LOOP;
END $$;

-- Undoes, newest first, every journaled change of the chain above `ancestor` and forgets those entries; returns how
-- many changes it undid. A change is undone by deleting the row's new image (by primary key) and restoring its
-- old one.
CREATE FUNCTION indexer.undo_above(chain integer, ancestor bigint) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  entry record;
  key_columns text;
  undone integer := 0;
BEGIN
  PERFORM set_config('indexer.undo_block', '', true);
  FOR entry IN
    SELECT * FROM indexer.undo_log WHERE chain_id = chain AND block_number > ancestor ORDER BY id DESC
  LOOP
    IF entry.new_row IS NOT NULL THEN
      SELECT string_agg(format('t.%1$I IS NOT DISTINCT FROM r.%1$I', a.attname), ' AND ')
        INTO key_columns
        FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = format('indexer.%I', entry.table_name)::regclass AND i.indisprimary;
      EXECUTE format(
        'DELETE FROM indexer.%1$I t USING jsonb_populate_record(NULL::indexer.%1$I, $1) r WHERE %2$s',
        entry.table_name,
        key_columns
      ) USING entry.new_row;
    END IF;
    IF entry.old_row IS NOT NULL THEN
      EXECUTE format(
        'INSERT INTO indexer.%1$I SELECT * FROM jsonb_populate_record(NULL::indexer.%1$I, $1)',
        entry.table_name
      ) USING entry.old_row;
    END IF;
    undone := undone + 1;
  END LOOP;
  DELETE FROM indexer.undo_log WHERE chain_id = chain AND block_number > ancestor;
  RETURN undone;
END $$;
