import type { ClientBase, QueryResult, QueryResultRow } from "pg";

/** The statements event handlers issue, queued in order, each with an optional check of its result. */
export interface WriteQueue {
  /** Queues a statement; `check` sees its result and throws to fail the batch (a missing row, say). */
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values: unknown[],
    check?: (result: QueryResult<R>) => void,
  ): void;
  /** Waits for every statement queued so far; rejects with the first failure, after which nothing else ran. */
  flush(): Promise<void>;
}

/**
 * Runs handler statements on `client` one after another, in the order they were queued, inside the caller's
 * transaction. Handlers only queue: none of them needs an answer to build its next statement, so the write path
 * stays free to send them in bulk. Every statement is prepared once per connection and planned for the values it
 * gets (see CUSTOM_PLANS).
 */
export function createWriteQueue(client: ClientBase): WriteQueue {
  let tail: Promise<void> = Promise.resolve();
  let configured = false;
  function send(text: string, values: unknown[], check?: (result: QueryResult) => void): void {
    tail = tail.then(async () => {
      const result = await client.query({ name: statementName(text), text, values });
      check?.(result);
    });
  }
  return {
    query(text, values, check) {
      if (!configured) {
        configured = true;
        send(CUSTOM_PLANS, []);
      }
      send(text, values, check as ((result: QueryResult) => void) | undefined);
    },
    async flush() {
      const queued = tail;
      tail = Promise.resolve();
      await queued;
    },
  };
}

/**
 * Handlers issue a few dozen distinct statements, each thousands of times in a backfill: named, a statement is
 * parsed once per connection instead of at every execution (pg prepares it on first use).
 */
const statementNames = new Map<string, string>();

/**
 * Planned anew at every execution all the same, for the rest of the caller's transaction: PostgreSQL would otherwise
 * switch a prepared statement to a generic plan after five runs, and a generic plan made while the read models were
 * still empty scans them sequentially for as long as the connection lives, slower with every row added.
 */
const CUSTOM_PLANS = "SET LOCAL plan_cache_mode = force_custom_plan";

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `indexer_write_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}
