import type { Address } from "viem";

import type { ChainContext } from "../../indexer/src/chain-context.js";
import type { IndexedAddresses } from "../../indexer/src/decode-log.js";
import { migrate } from "../../indexer/src/migrations.js";
import { createIndexerRpc, createRpcClient } from "../../indexer/src/rpc.js";
import type { SyncDeps } from "../../indexer/src/sync.js";

import { createTestDatabase } from "./database.js";
import type { TestDatabase } from "./database.js";
import type { deployLocal } from "./local-deployment.js";

type Deployment = Awaited<ReturnType<typeof deployLocal>>;

/** What the indexer needs to know about a local deployment: the contracts it reads and the fee recipient. */
export async function indexerTargets(deployment: Deployment): Promise<{
  addresses: IndexedAddresses;
  context: ChainContext;
}> {
  const { escrow, token, governor } = deployment;
  return {
    addresses: {
      MarketplaceEscrow: (await escrow.getAddress()) as Address,
      AgriToken: (await token.getAddress()) as Address,
      AgriGovernor: (await governor.getAddress()) as Address,
    },
    context: { chainId: 31337, treasury: await escrow.treasury() },
  };
}

/**
 * What the indexer's sync loop needs to run in the test's own process against a local node, writing into `db` (whose
 * indexer schema must be installed): tests step it with syncToHead instead of running the indexer process.
 */
export async function inProcessSync(
  db: SyncDeps["db"],
  nodeUrl: string,
  deployment: Deployment,
  options: { confirmations: number },
): Promise<SyncDeps> {
  const { addresses, context } = await indexerTargets(deployment);
  return {
    db,
    rpc: createIndexerRpc({ client: createRpcClient(nodeUrl) }),
    addresses,
    context,
    startBlock: 0n,
    confirmations: options.confirmations,
    rangePolicy: { min: 1, max: 1_000, fastMs: 1_000, maxLogs: 5_000 },
    state: { rangeSize: 1_000 },
  };
}

/** A fresh test database with the indexer's schema already migrated. */
export async function createIndexerDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  const client = await database.pool.connect();
  try {
    await migrate(client);
  } finally {
    client.release();
  }
  return database;
}
