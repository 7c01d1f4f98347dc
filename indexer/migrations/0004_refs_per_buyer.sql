-- The escrow keeps a ref unique per buyer, not per chain (so nobody can take the ref another buyer is about to pay
-- with): two buyers' orders may carry the same ref. Unique per (chain, ref, buyer), which still serves lookups by ref.
DROP INDEX indexer.escrow_orders_by_ref;
CREATE UNIQUE INDEX escrow_orders_by_ref ON indexer.escrow_orders (chain_id, ref, buyer);
