/**
 * Errors the indexer raises on its own account. None of them is worth retrying: each means the data or the
 * configuration contradicts what the contracts guarantee, so a retry would fail the same way.
 */
export class IndexerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A log lacks what a mined log always has (block hash, transaction hash, log index): it is pending or malformed. */
export class InvalidLogError extends IndexerError {}

/** An event refers to an order or proposal the read models never saw created: events were skipped or reordered. */
export class MissingEntityError extends IndexerError {}

/** A migration file failed to apply; its transaction was rolled back. */
export class MigrationError extends IndexerError {
  constructor(
    readonly version: string,
    cause: unknown,
  ) {
    super(`migration ${version} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.cause = cause;
  }
}
