import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * The DAO's windows as card orders follow them, so both ways of paying give buyers and farms the same time: how long
 * a paid order may wait to ship, how long a shipped one waits for the buyer's confirmation, and how long a dispute
 * waits for a ruling before its default outcome.
 */
export interface CardTerms {
  shipWindowMs: number;
  confirmWindowMs: number;
  arbitrationTimeoutMs: number;
}

/**
 * The escrow's terms in force on the chain (`indexer.escrow_terms`, the row for orders created from now on), or
 * `fallback` while the indexer has recorded none (or is not installed in this database). Safe inside a transaction:
 * the table is looked for first rather than failed on, which would abort the caller's transaction.
 */
export async function readCardTerms(em: EntityManager, chainId: number, fallback: CardTerms): Promise<CardTerms> {
  const [{ installed }] = await em.execute<{ installed: boolean }[]>(
    "SELECT to_regclass('indexer.escrow_terms') IS NOT NULL AS installed",
  );
  if (!installed) return fallback;
  const [row] = await em.execute<{ ship_window: string; confirm_window: string; arbitration_timeout: string }[]>(
    `SELECT ship_window::text AS ship_window, confirm_window::text AS confirm_window,
            arbitration_timeout::text AS arbitration_timeout
       FROM indexer.escrow_terms WHERE chain_id = ? ORDER BY first_order_id DESC LIMIT 1`,
    [chainId],
  );
  if (row === undefined) return fallback;
  return {
    shipWindowMs: Number(row.ship_window) * 1000,
    confirmWindowMs: Number(row.confirm_window) * 1000,
    arbitrationTimeoutMs: Number(row.arbitration_timeout) * 1000,
  };
}
