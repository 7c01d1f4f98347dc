import type { ClientBase } from "pg";

/**
 * A read-model row as its columns' PostgreSQL text (as loaded) or JSON values (as handlers set them): written back
 * through `json_populate_recordset`, which reads both exactly, so no uint256 ever passes through a float.
 */
export type Row = Record<string, unknown>;

/** The read models rows are kept by, and the columns after `chain_id` that make up each one's primary key. */
const KEYED_TABLES = {
  escrow_orders: ["order_id"],
  escrow_credits: ["account", "token"],
  escrow_terms: ["first_order_id"],
  escrow_payment_tokens: ["token"],
  escrow_status: [],
  proposals: ["proposal_id"],
  delegates: ["account"],
  token_balances: ["account"],
  role_holders: ["contract_name", "role", "account"],
} as const;

/** Read models whose rows are only ever added, one per event. */
type AppendTable = "escrow_order_history" | "votes";

export type KeyedTable = keyof typeof KEYED_TABLES;

/** Reads the row of `table` at `key` among the rows loaded so far (undefined: no such row in the database). */
export type LoadedRow = (table: KeyedTable, key: readonly string[]) => Row | undefined;

/** Which rows of the keyed read models a batch of events reads, by table and key (`keyOf`). */
export interface WantedRows {
  keys: Map<KeyedTable, Map<string, string[]>>;
  /** Wants that depend on rows wanted before (the parties of an order, say): run once those are loaded. */
  deferred: ((loaded: LoadedRow) => void)[];
}

interface TableState {
  rows: Map<string, Row>;
  /** Rows the batch created: inserted, so a row that exists already fails the batch as a plain INSERT would. */
  created: Set<string>;
  /** Rows that existed (or may have) and changed: upserted. */
  changed: Set<string>;
}

/**
 * The read-model rows one batch of events touches, loaded with one SELECT per table, changed in memory by the
 * handlers and written back with a few bulk statements per table. The writes are ordinary INSERTs and upserts on the
 * read-model tables, so the undo journal's row trigger sees each changed row (once, with its images before and after
 * the batch).
 */
export interface ReadModelView {
  readonly chainId: number;
  /** The row, if it exists; `key` must have been asked for (`want`) before the view was loaded. */
  get(table: KeyedTable, key: readonly string[]): Row | undefined;
  /** Adds a row that must not exist yet. */
  create(table: KeyedTable, row: Row): void;
  /** Stores a row's new image (complete: every column), whether or not it existed. */
  put(table: KeyedTable, row: Row): void;
  /** Adds a row to an append-only read model. */
  append(table: AppendTable, row: Row): void;
}

export function keyOf(key: readonly string[]): string {
  return key.join("\u0000");
}

export function createWantedRows(): WantedRows {
  return { keys: new Map(), deferred: [] };
}

/** Records that the batch reads the row of `table` at `key` (the primary key after `chain_id`). */
export function want(wanted: WantedRows, table: KeyedTable, key: readonly string[]): void {
  let keys = wanted.keys.get(table);
  if (keys === undefined) wanted.keys.set(table, (keys = new Map<string, string[]>()));
  keys.set(keyOf(key), [...key]);
}

/** Loads the wanted rows of the chain's read models, one SELECT per table, inside the caller's transaction. */
export async function loadReadModelView(
  client: ClientBase,
  chainId: number,
  wanted: WantedRows,
): Promise<ReadModelView & { save(): Promise<void> }> {
  const tables = new Map<KeyedTable, TableState>();
  const loaded = new Map<KeyedTable, Set<string>>();
  const appended = new Map<AppendTable, Row[]>();
  const stateOf = (table: KeyedTable): TableState => {
    let state = tables.get(table);
    if (state === undefined) tables.set(table, (state = { rows: new Map(), created: new Set(), changed: new Set() }));
    return state;
  };
  // Rounds until no deferred want remains: each loads every wanted row not loaded yet, one SELECT per table.
  for (;;) {
    for (const [table, keys] of wanted.keys) {
      const done = loaded.get(table) ?? new Set<string>();
      loaded.set(table, done);
      const missing = [...keys].filter(([k]) => !done.has(k));
      if (missing.length === 0) continue;
      const columns = KEYED_TABLES[table];
      const keyRows = missing.map(([, key]): Row => {
        const row: Row = { chain_id: chainId };
        columns.forEach((column, i) => (row[column] = key[i]));
        return row;
      });
      const match = ["chain_id", ...columns].map((column) => `t.${quote(column)}`).join(", ");
      const keyColumns = ["chain_id", ...columns].map((column) => `k.${quote(column)}`).join(", ");
      const { rows } = await client.query<Row>({
        text: `SELECT t.* FROM indexer.${table} t
               WHERE (${match}) IN (SELECT ${keyColumns} FROM json_populate_recordset(NULL::indexer.${table}, $1) k)`,
        values: [JSON.stringify(keyRows)],
        // Every column as PostgreSQL's text, read back exactly by json_populate_recordset (numeric[] would be floats).
        types: { getTypeParser: () => (value: string) => value },
      });
      const state = stateOf(table);
      for (const row of rows) state.rows.set(keyOf(columns.map((column) => String(row[column]))), row);
      for (const [k] of missing) done.add(k);
    }
    if (wanted.deferred.length === 0) break;
    const deferred = wanted.deferred.splice(0);
    for (const run of deferred) run((table, key) => tables.get(table)?.rows.get(keyOf(key)));
  }

  const rowKey = (table: KeyedTable, row: Row): string =>
    keyOf(KEYED_TABLES[table].map((column) => String(row[column])));
  return {
    chainId,
    get(table, key) {
      const k = keyOf(key);
      const state = tables.get(table);
      if (state?.created.has(k) || state?.changed.has(k)) return state.rows.get(k);
      // A handler reading a row it did not ask for would read a stale or missing row: a bug, not bad data.
      if (loaded.get(table)?.has(k) !== true) throw new Error(`read model ${table} row ${key.join(", ")} not loaded`);
      return state?.rows.get(k);
    },
    create(table, row) {
      const state = stateOf(table);
      const k = rowKey(table, row);
      state.rows.set(k, { chain_id: chainId, ...row });
      state.created.add(k);
    },
    put(table, row) {
      const state = stateOf(table);
      const k = rowKey(table, row);
      state.rows.set(k, { chain_id: chainId, ...row });
      if (!state.created.has(k)) state.changed.add(k);
    },
    append(table, row) {
      let rows = appended.get(table);
      if (rows === undefined) appended.set(table, (rows = []));
      rows.push({ chain_id: chainId, ...row });
    },
    async save() {
      for (const [table, state] of tables) {
        const pick = (keys: Set<string>) => [...keys].map((k) => state.rows.get(k) as Row);
        await insertRows(client, table, pick(state.created));
        await upsertRows(client, table, pick(state.changed));
      }
      for (const [table, rows] of appended) await insertRows(client, table, rows);
    },
  };
}

/** Rows per statement: bounds the size of one JSON parameter however large the batch. */
const WRITE_CHUNK = 5_000;

async function insertRows(client: ClientBase, table: string, rows: Row[]): Promise<void> {
  for (let start = 0; start < rows.length; start += WRITE_CHUNK) {
    await client.query(
      `INSERT INTO indexer.${table} SELECT * FROM json_populate_recordset(NULL::indexer.${table}, $1)`,
      [JSON.stringify(rows.slice(start, start + WRITE_CHUNK))],
    );
  }
}

async function upsertRows(client: ClientBase, table: KeyedTable, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const key = ["chain_id", ...KEYED_TABLES[table]];
  const assignments = Object.keys(rows[0])
    .filter((column) => !key.includes(column))
    .map((column) => `${quote(column)} = EXCLUDED.${quote(column)}`)
    .join(", ");
  for (let start = 0; start < rows.length; start += WRITE_CHUNK) {
    await client.query(
      `INSERT INTO indexer.${table} SELECT * FROM json_populate_recordset(NULL::indexer.${table}, $1)
       ON CONFLICT (${key.map(quote).join(", ")}) DO UPDATE SET ${assignments}`,
      [JSON.stringify(rows.slice(start, start + WRITE_CHUNK))],
    );
  }
}

function quote(column: string): string {
  return `"${column}"`;
}
