import { setTimeout as delay } from "node:timers/promises";

import pg from "pg";

/** Where the lock's dedicated connection goes; a pooled connection would not do, since the lock lives as long as the session. */
export interface WriterLockOptions {
  connection: pg.ClientConfig;
  chainId: number;
  /** How often a standby asks for the lock again; the holder's death is noticed within this interval. */
  pollIntervalMs: number;
  /** Stops waiting (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Told once, when the lock is held by someone else and this process becomes a standby. */
  onStandby?: () => void;
}

/** The right to write one chain's index, held for as long as the session that took it lives. */
export interface WriterLock {
  chainId: number;
  /** Aborts when the lock's connection breaks: the lock is gone with it, and another indexer may be writing already. */
  lost: AbortSignal;
  release(): Promise<void>;
}

/** The lock's connection failed while the process was waiting for the lock or holding it. */
export class WriterLockLostError extends Error {
  constructor(
    readonly chainId: number,
    cause?: unknown,
  ) {
    super(`lost the writer lock connection for chain ${chainId}`, { cause });
    this.name = new.target.name;
  }
}

// Hashing a namespaced text keeps the key apart from advisory locks other code takes on the same database.
const TRY_LOCK = "SELECT pg_try_advisory_lock(hashtextextended('agridao:indexer:' || $1::text, 0)) AS acquired";
const UNLOCK = "SELECT pg_advisory_unlock(hashtextextended('agridao:indexer:' || $1::text, 0))";

/**
 * Takes the session-level advisory lock that makes this process the only writer of `chainId`, waiting as a hot
 * standby (asking every `pollIntervalMs`) while another session holds it. PostgreSQL drops a session's advisory
 * locks when its connection ends, so a writer that dies hands over to a standby within one poll interval.
 */
export async function acquireWriterLock(options: WriterLockOptions): Promise<WriterLock> {
  const { chainId, signal } = options;
  const client = new pg.Client(options.connection);
  const controller = new AbortController();
  let released = false;
  // An idle client that loses its server emits "error"; without a listener that would crash the process.
  client.on("error", (error) => controller.abort(new WriterLockLostError(chainId, error)));
  client.on("end", () => {
    if (!released) controller.abort(new WriterLockLostError(chainId));
  });
  await client.connect();
  try {
    let announced = false;
    for (;;) {
      signal?.throwIfAborted();
      controller.signal.throwIfAborted();
      const { rows } = await client.query<{ acquired: boolean }>(TRY_LOCK, [chainId]);
      if (rows[0].acquired) break;
      if (!announced) {
        announced = true;
        options.onStandby?.();
      }
      await delay(options.pollIntervalMs, undefined, { signal: anySignal(signal, controller.signal) });
    }
  } catch (error) {
    released = true;
    await client.end().catch(() => undefined);
    // A timer cut short rejects with a generic AbortError; the signal's reason says why it was cut.
    if (signal?.aborted) throw signal.reason;
    throw controller.signal.aborted ? controller.signal.reason : error;
  }
  return {
    chainId,
    lost: controller.signal,
    async release() {
      if (released) return;
      released = true;
      try {
        if (!controller.signal.aborted) await client.query(UNLOCK, [chainId]);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((signal) => signal !== undefined));
}
