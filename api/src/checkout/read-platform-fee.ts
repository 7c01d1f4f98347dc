import { TableNotFoundException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

/** The escrow fee in force on a chain as the indexer last saw the DAO set it, or why it is not known. */
export type PlatformFee =
  | { status: "known"; chainId: number; feeBps: number; sinceOrderId: string }
  | { status: "unknown"; chainId: number; reason: string };

/**
 * Reads the fee in force from the indexer's `indexer.escrow_terms`: the row with the highest `first_order_id` for the
 * chain applies to every order created from now on. No row (or no indexer schema) means the fee is not known yet;
 * the caller must say so rather than assume one.
 */
export async function readPlatformFee(em: EntityManager, chainId: number): Promise<PlatformFee> {
  let rows: { fee_bps: number; first_order_id: string }[];
  try {
    rows = await em.execute(
      `SELECT fee_bps, first_order_id::text AS first_order_id FROM indexer.escrow_terms
        WHERE chain_id = ? ORDER BY first_order_id DESC LIMIT 1`,
      [chainId],
    );
  } catch (error) {
    if (!(error instanceof TableNotFoundException)) throw error;
    return { status: "unknown", chainId, reason: "The indexer's tables do not exist in this database yet" };
  }
  if (rows.length === 0) {
    return {
      status: "unknown",
      chainId,
      reason: `The indexer has not recorded the escrow's terms for chain ${chainId}`,
    };
  }
  return { status: "known", chainId, feeBps: rows[0].fee_bps, sinceOrderId: rows[0].first_order_id };
}
