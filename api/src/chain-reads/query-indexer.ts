import { TableNotFoundException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import { ServiceUnavailableError } from "../errors.js";

/**
 * Runs a query on the indexer's tables for a request that cannot be answered without them: before the indexer
 * created them, the answer is 503. Not for use inside a transaction the caller goes on with (a failed statement
 * aborts it): reads made there look for the table first instead (escrowOrdersIndexed, readEscrowTermsInForce).
 */
export async function queryIndexer<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  try {
    return await em.execute<T[]>(sql, params);
  } catch (error) {
    if (error instanceof TableNotFoundException) {
      throw new ServiceUnavailableError("The indexer's tables do not exist in this database yet");
    }
    throw error;
  }
}
