import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * The escrow's terms as the DAO last set them (`indexer.escrow_terms`): orders created from `first_order_id` on
 * snapshot them. Windows are seconds, as decimal text.
 */
export interface EscrowTermsRow {
  first_order_id: string;
  fee_bps: number;
  ship_window: string;
  confirm_window: string;
  arbitration_timeout: string;
}

/** The terms in force, or why there are none: the indexer's tables do not exist yet, or it recorded no terms. */
export type EscrowTermsInForce = { status: "in_force"; terms: EscrowTermsRow } | { status: "none" | "not_indexed" };

/**
 * The one read of the escrow's terms: the row with the highest `first_order_id` for the chain applies to every order
 * created from now on (the fee checkout charges, the windows card orders follow, the parameters governance shows).
 * Safe inside a transaction: the table is looked for first rather than failed on, which would abort the caller's
 * transaction.
 */
export async function readEscrowTermsInForce(em: EntityManager, chainId: number): Promise<EscrowTermsInForce> {
  const [{ installed }] = await em.execute<{ installed: boolean }[]>(
    "SELECT to_regclass('indexer.escrow_terms') IS NOT NULL AS installed",
  );
  if (!installed) return { status: "not_indexed" };
  const [row] = await em.execute<EscrowTermsRow[]>(
    `SELECT first_order_id::text AS first_order_id, fee_bps, ship_window::text AS ship_window,
            confirm_window::text AS confirm_window, arbitration_timeout::text AS arbitration_timeout
       FROM indexer.escrow_terms WHERE chain_id = ? ORDER BY first_order_id DESC LIMIT 1`,
    [chainId],
  );
  return row === undefined ? { status: "none" } : { status: "in_force", terms: row };
}
