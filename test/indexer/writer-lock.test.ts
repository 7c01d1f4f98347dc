import { expect } from "chai";
import type pg from "pg";

import { acquireWriterLock } from "../../indexer/src/writer-lock.js";
import type { WriterLock } from "../../indexer/src/writer-lock.js";
import { createTestDatabase } from "../support/database.js";
import type { TestDatabase } from "../support/database.js";

const CHAIN_ID = 31337;

describe("indexer writer lock", function () {
  let database: TestDatabase;
  const held: WriterLock[] = [];

  before(async function () {
    database = await createTestDatabase();
  });

  afterEach(async function () {
    for (const lock of held.splice(0)) await lock.release();
  });

  after(async function () {
    await database?.drop();
  });

  function connection(): pg.ClientConfig {
    return { host: "127.0.0.1", port: 5432, user: "postgres", database: database.name };
  }

  async function acquire(options: { chainId?: number; signal?: AbortSignal; onStandby?: () => void } = {}) {
    const lock = await acquireWriterLock({
      connection: connection(),
      chainId: options.chainId ?? CHAIN_ID,
      pollIntervalMs: 50,
      signal: options.signal,
      onStandby: options.onStandby,
    });
    held.push(lock);
    return lock;
  }

  /** Resolves once the standby has asked for the lock and been refused. */
  function standby() {
    let becameStandby!: () => void;
    const refused = new Promise<void>((resolve) => (becameStandby = resolve));
    return { refused, onStandby: () => becameStandby() };
  }

  it("keeps a second indexer waiting while the first holds the lock of the chain", async function () {
    await acquire();
    const controller = new AbortController();
    const { refused, onStandby } = standby();
    const second = acquire({ signal: controller.signal, onStandby });
    await refused;
    controller.abort(new Error("gave up waiting"));
    const reason = await second.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(reason).to.have.property("message", "gave up waiting");
  });

  it("lets indexers of different chains write at the same time", async function () {
    await acquire({ chainId: 1 });
    await acquire({ chainId: 2 });
  });

  it("hands the lock to the standby when the holder releases it", async function () {
    const first = await acquire();
    const { refused, onStandby } = standby();
    const second = acquire({ onStandby });
    await refused;
    await first.release();
    expect((await second).chainId).to.equal(CHAIN_ID);
  });

  it("hands the lock to the standby when the holder's connection dies, and tells the holder it lost it", async function () {
    const first = await acquire();
    const lost = new Promise<unknown>((resolve) =>
      first.lost.addEventListener("abort", () => resolve(first.lost.reason)),
    );
    const { refused, onStandby } = standby();
    const second = acquire({ onStandby });
    await refused;

    // Terminating the holder's backend is what a crashed process or a dropped network looks like to PostgreSQL.
    await database.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
       WHERE locktype = 'advisory' AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(await lost).to.have.property("name", "WriterLockLostError");
    expect((await second).chainId).to.equal(CHAIN_ID);
  });
});
