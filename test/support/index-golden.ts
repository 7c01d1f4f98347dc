import type { network } from "hardhat";
import type { Pool } from "pg";

import { applyEvents } from "../../indexer/src/apply-events.js";
import type { ChainContext } from "../../indexer/src/chain-context.js";
import type { IndexedAddresses } from "../../indexer/src/decode-log.js";
import { READ_MODEL_TABLES, rebuild } from "../../indexer/src/rebuild.js";

import { fetchDecodedEvents } from "./chain-events.js";

type Connection = Awaited<ReturnType<typeof network.create>>;

/** Table name → every row as JSON, in a stable order. */
export type IndexDump = Record<string, unknown[]>;

/** Every row of the read models and of the raw events, in a stable order, for row-by-row comparison. */
export async function dumpIndex(db: Pool): Promise<IndexDump> {
  const result: IndexDump = {};
  for (const table of [...READ_MODEL_TABLES, "events"]) {
    const { rows } = await db.query<{ row: unknown }>(
      `SELECT to_jsonb(t) AS row FROM indexer.${table} t ORDER BY to_jsonb(t)::text`,
    );
    result[table] = rows.map(({ row }) => row);
  }
  return result;
}

/**
 * The golden state: every log of the canonical chain applied at once to `db` (a freshly migrated, empty index),
 * then rebuilt from the stored events.
 */
export async function indexFromScratch(deps: {
  connection: Connection;
  db: Pool;
  addresses: IndexedAddresses;
  context: ChainContext;
}): Promise<IndexDump> {
  const events = await fetchDecodedEvents(deps.connection, deps.addresses);
  const client = await deps.db.connect();
  try {
    await client.query("BEGIN");
    await applyEvents(client, events, deps.context);
    await client.query("COMMIT");
    await rebuild(client, deps.context);
  } finally {
    client.release();
  }
  return dumpIndex(deps.db);
}
