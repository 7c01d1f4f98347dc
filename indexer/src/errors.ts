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

/**
 * The chain reorganized below the oldest block the indexer keeps, so the common ancestor cannot be found: the
 * indexer stops rather than guess. Raise INDEXER_CONFIRMATIONS, or re-index from the start block.
 */
export class ReorgTooDeepError extends IndexerError {
  constructor(
    readonly checkpoint: bigint,
    readonly minDepth: bigint,
    readonly window: number,
  ) {
    super(
      `reorg of at least ${minDepth} blocks below checkpoint ${checkpoint} is deeper than the kept window of ` +
        `${window} blocks (INDEXER_CONFIRMATIONS); no stored block is on the canonical chain any more`,
    );
  }
}

/** The checkpoint moved between reading it and writing after it: another indexer writes the same chain. */
export class ConcurrentWriterError extends IndexerError {
  constructor(readonly chainId: number) {
    super(`the checkpoint of chain ${chainId} changed under this step: another indexer is writing the same chain`);
  }
}
