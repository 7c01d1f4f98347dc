import type { EntityManager } from "@mikro-orm/postgresql";

import { readEscrowTermsInForce } from "../chain-reads/escrow-terms.js";

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
 * The escrow's terms in force on the chain (the ones for orders created from now on), or `fallback` while the indexer
 * has recorded none (or is not installed in this database). Safe inside a transaction.
 */
export async function readCardTerms(em: EntityManager, chainId: number, fallback: CardTerms): Promise<CardTerms> {
  const read = await readEscrowTermsInForce(em, chainId);
  if (read.status !== "in_force") return fallback;
  const { terms } = read;
  return {
    shipWindowMs: Number(terms.ship_window) * 1000,
    confirmWindowMs: Number(terms.confirm_window) * 1000,
    arbitrationTimeoutMs: Number(terms.arbitration_timeout) * 1000,
  };
}
