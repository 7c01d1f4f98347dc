import type { EntityManager } from "@mikro-orm/postgresql";

import { queryIndexer } from "./query-indexer.js";

/** A role (bytes32, lower-case hex) and an account holding it now, lower-case. */
export interface RoleHolderRow {
  role: string;
  account: string;
}

/** Who holds each AccessControl role of the escrow now (`indexer.role_holders`), accounts in order. */
export async function listEscrowRoleHolders(em: EntityManager, chainId: number): Promise<RoleHolderRow[]> {
  return queryIndexer<RoleHolderRow>(
    em,
    `SELECT role, account FROM indexer.role_holders
      WHERE chain_id = ? AND contract_name = 'MarketplaceEscrow' AND holds
      ORDER BY account, role`,
    [chainId],
  );
}
