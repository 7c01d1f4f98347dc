import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { ClientBase } from "pg";

import { MigrationError } from "./errors.js";
import { inTransaction } from "./transaction.js";

/** Where the versioned SQL files live: `NNNN_name.sql`, applied in file-name order. */
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "migrations");

// Any fixed 64-bit key works; it only has to differ from other advisory locks taken in the same database.
const MIGRATION_LOCK_KEY = 0x41677269_4d696772n;

/**
 * Applies every migration not yet recorded in `indexer.schema_migrations`, each in its own transaction, and
 * returns the versions it applied. Holds an advisory lock meanwhile so two processes never migrate at once.
 */
export async function migrate(client: ClientBase, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith(".sql")).sort();
  await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY.toString()]);
  try {
    await client.query("CREATE SCHEMA IF NOT EXISTS indexer");
    await client.query(
      `CREATE TABLE IF NOT EXISTS indexer.schema_migrations (
         version text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: string }>("SELECT version FROM indexer.schema_migrations");
    const done = new Set(rows.map((row) => row.version));
    const applied: string[] = [];
    for (const file of files) {
      const version = file.replace(/\.sql$/, "");
      if (done.has(version)) continue;
      const sql = await readFile(path.join(dir, file), "utf8");
      await inTransaction(client, async () => {
        await client.query(sql);
        await client.query("INSERT INTO indexer.schema_migrations (version) VALUES ($1)", [version]);
      }).catch((error: unknown) => {
        throw new MigrationError(version, error);
      });
      applied.push(version);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY.toString()]);
  }
}
