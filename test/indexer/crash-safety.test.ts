import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { expect } from "chai";
import type { Hex } from "viem";

import type { ChainContext } from "../../indexer/src/chain-context.js";
import type { IndexedAddresses } from "../../indexer/src/decode-log.js";
import type { TestDatabase } from "../support/database.js";
import { openOrder } from "../support/escrow-actions.js";
import { VoteType, openVoting, proposalArgs, propose } from "../support/governance-actions.js";
import type { Proposal } from "../support/governance-actions.js";
import { dumpIndex, indexFromScratch } from "../support/index-golden.js";
import { startIndexerProcess } from "../support/indexer-process.js";
import type { IndexerProcess } from "../support/indexer-process.js";
import { runIndexerScenario } from "../support/indexer-scenario.js";
import { createIndexerDatabase, indexerTargets } from "../support/indexer-setup.js";
import { deployLocal } from "../support/local-deployment.js";
import { startLocalNode } from "../support/local-node.js";
import { randomInt, seededRandom } from "../support/seeded-random.js";

type Deployment = Awaited<ReturnType<typeof deployLocal>>;
type LocalNode = Awaited<ReturnType<typeof startLocalNode>>;

const ETHER = 10n ** 18n;
const CONFIRMATIONS = 3;
const POLL_INTERVAL_MS = 20;
/** Tells the indexer's connections apart from the test's own in pg_stat_activity. */
const APPLICATION_NAME = "agridao_crash_test_indexer";
const SEED = 20_261_122;
/** Kills in each phase; every restart costs a tsx start-up, which is most of this file's run time. */
const KILLS_PER_PHASE = 10;

/**
 * Where a kill landed: `checkpoint` when the checkpoint reached a chosen block, `delay` a seeded delay after the
 * restarted indexer's first commit (backfill) or after new blocks began to arrive (head), `mid-transaction` while its
 * sync transaction had written rows and waited on a lock the test held, `new-blocks` when a chosen number of freshly
 * mined blocks were indexed, `mid-poll` a seeded delay into the idle wait at the head.
 */
type KillKind = "checkpoint" | "delay" | "mid-transaction" | "new-blocks" | "mid-poll";

interface KillPoint {
  phase: "backfill" | "head";
  kind: KillKind;
  /** The checkpoint the index was left at by the kill. */
  checkpoint: bigint;
}

interface Checkpoint {
  number: bigint;
  hash: Hex;
}

describe("indexer crash safety (SIGKILL at many points, then restart)", function () {
  this.timeout(300_000);
  let node: LocalNode;
  let deployment: Deployment;
  let addresses: IndexedAddresses;
  let context: ChainContext;
  let deploymentFile: string;
  let index: TestDatabase;
  const databases: TestDatabase[] = [];
  const indexers: IndexerProcess[] = [];

  before(async function () {
    node = await startLocalNode();
    deployment = await deployLocal(node.connection, { deploymentId: node.deploymentId });
    await runIndexerScenario(node.connection, deployment);
    ({ addresses, context } = await indexerTargets(deployment));
    deploymentFile = path.join(await mkdtemp(path.join(tmpdir(), "agridao-crash-")), "deployment.json");
    await writeFile(
      deploymentFile,
      JSON.stringify({
        chainId: 31337,
        startBlock: 0,
        addresses: { ...addresses, AgriTimelock: await deployment.timelock.getAddress() },
      }),
    );
    index = await createIndexerDatabase();
    databases.push(index);
  });

  after(async function () {
    for (const indexer of indexers) await indexer.stop("SIGKILL");
    for (const database of databases) await database.drop();
    await node?.stop();
  });

  function startIndexer(): IndexerProcess {
    const indexer = startIndexerProcess({
      env: {
        INDEXER_RPC_URL: node.url,
        INDEXER_CHAIN_ID: "31337",
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${index.name}?application_name=${APPLICATION_NAME}`,
        INDEXER_CONFIRMATIONS: String(CONFIRMATIONS),
        INDEXER_POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
        // Tiny ranges make the backfill a long series of commits, each one a place to be killed.
        INDEXER_MIN_BLOCK_RANGE: "1",
        INDEXER_MAX_BLOCK_RANGE: "2",
        INDEXER_HTTP_PORT: "0",
        INDEXER_DEPLOYMENT_FILE: deploymentFile,
      },
    });
    indexers.push(indexer);
    return indexer;
  }

  async function latestBlock(): Promise<Checkpoint> {
    const block = (await node.connection.provider.request({
      method: "eth_getBlockByNumber",
      params: ["latest", false],
    })) as { number: Hex; hash: Hex };
    return { number: BigInt(block.number), hash: block.hash };
  }

  async function checkpoint(): Promise<Checkpoint | undefined> {
    const { rows } = await index.pool.query<{ block_number: string; block_hash: Hex }>(
      "SELECT block_number, block_hash FROM indexer.checkpoints WHERE chain_id = 31337",
    );
    return rows.length === 0 ? undefined : { number: BigInt(rows[0].block_number), hash: rows[0].block_hash };
  }

  async function checkpointNumber(): Promise<bigint> {
    return (await checkpoint())?.number ?? -1n;
  }

  /**
   * The indexer's sessions on its database: all of them, and those waiting for a lock inside a transaction that has
   * written rows already (PostgreSQL assigns a transaction id at the first write).
   */
  async function indexerSessions(): Promise<{ open: number; waitingOnLock: number }> {
    const { rows } = await index.pool.query<{ open: number; waiting: number }>(
      `SELECT count(*)::int AS open,
         count(*) FILTER (WHERE wait_event_type = 'Lock' AND backend_xid IS NOT NULL)::int AS waiting
       FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`,
      [index.name, APPLICATION_NAME],
    );
    return { open: rows[0].open, waitingOnLock: rows[0].waiting };
  }

  /**
   * Polls `check` until it holds. Fails at once, with the indexer's output, if the indexer exits on its own, and
   * with `guard`'s error when the condition can no longer be met as intended.
   */
  async function until(indexer: IndexerProcess, check: () => Promise<boolean>, guard?: () => Promise<void>) {
    for (;;) {
      if (indexer.hasExited()) throw new Error(`the indexer exited on its own:\n${indexer.output()}`);
      if (await check()) return;
      await guard?.();
      await sleep(10);
    }
  }

  /** SIGKILLs the whole process group and waits until PostgreSQL has ended every session it had. */
  async function kill(indexer: IndexerProcess, release?: () => Promise<void>): Promise<void> {
    await indexer.stop("SIGKILL");
    // A session blocked on a lock notices its client is gone only once the lock is granted.
    await release?.();
    for (;;) {
      if ((await indexerSessions()).open === 0) break;
      await sleep(10);
    }
    // pino logs errors at level 50 and fatal at 60: a step that failed before the kill is a bug, not a crash.
    expect(indexer.output(), indexer.output()).not.to.match(/"level":(50|60)/);
  }

  /**
   * Holds a row lock on every kept block, so the indexer's next sync transaction stops at the statement that prunes
   * old blocks, after it has written its events, read-model rows and new blocks. Kills it there, and checks that
   * nothing of that transaction survived.
   */
  async function killMidTransaction(indexer: IndexerProcess, guard?: () => Promise<void>): Promise<void> {
    const blocker = await index.pool.connect();
    let open = true;
    const release = async () => {
      if (!open) return;
      open = false;
      await blocker.query("ROLLBACK");
      blocker.release();
    };
    try {
      await blocker.query("BEGIN");
      await blocker.query("SELECT number FROM indexer.blocks FOR UPDATE");
      await until(indexer, async () => (await indexerSessions()).waitingOnLock > 0, guard);
      // The only writer is blocked, so this is every row committed before its transaction began.
      const committed = await dumpIndex(index.pool);
      const before = await checkpoint();
      await kill(indexer, release);
      expect(await checkpoint()).to.deep.equal(before);
      expect(await dumpIndex(index.pool)).to.deep.equal(committed);
    } finally {
      await release();
    }
  }

  async function golden() {
    const database = await createIndexerDatabase();
    databases.push(database);
    return indexFromScratch({ connection: node.connection, db: database.pool, addresses, context });
  }

  /** The index matches the golden one row for row, holds no event twice, and is checkpointed at the head. */
  async function expectGoldenAt(head: Checkpoint) {
    expect(await dumpIndex(index.pool)).to.deep.equal(await golden());
    const duplicates = await index.pool.query(
      `SELECT tx_hash, log_index, count(*) FROM indexer.events GROUP BY tx_hash, log_index HAVING count(*) > 1`,
    );
    expect(duplicates.rows).to.deep.equal([]);
    expect(await checkpoint()).to.deep.equal(head);
    const kept = await index.pool.query<{ number: string }>(
      "SELECT number FROM indexer.blocks WHERE chain_id = 31337 ORDER BY number",
    );
    expect(kept.rows.map((row) => BigInt(row.number))).to.deep.equal(
      Array.from({ length: CONFIRMATIONS + 1 }, (_, i) => head.number - BigInt(CONFIRMATIONS) + BigInt(i)),
    );
  }

  /** An endless round of escrow and governance transactions; each call performs the next action and mines it. */
  function activity(): () => Promise<void> {
    const { escrow, token, governor, accounts } = deployment;
    const wait = async (sent: Promise<{ wait(): Promise<unknown> }>) => {
      await (await sent).wait();
    };
    const actions = (function* () {
      for (let round = 0; ; round++) {
        const buyer = accounts.buyers[round % 3];
        const seller = accounts.farmers[round % 3];
        const voter = accounts.voters[round % 3];
        let orderId = 0n;
        yield async () => {
          orderId = await openOrder(escrow, buyer, seller, ETHER / 10n);
        };
        yield () => wait(token.connect(voter).transfer(accounts.others[round % 5].address, BigInt(round + 1)));
        yield () => wait(escrow.connect(seller).markShipped(orderId));
        yield () => wait(token.connect(accounts.others[round % 5]).delegate(voter.address));
        yield () => wait(escrow.connect(buyer).confirmDelivery(orderId));
        let declined = 0n;
        yield async () => {
          declined = await openOrder(escrow, buyer, accounts.farmers[(round + 1) % 3], ETHER / 20n);
        };
        yield () => wait(escrow.connect(accounts.farmers[(round + 1) % 3]).declineOrder(declined));
        const proposal = (purpose: string): Proposal => ({
          targets: [addresses.MarketplaceEscrow],
          values: [0n],
          calldatas: [escrow.interface.encodeFunctionData("setFee", [200 + (round % 50)])],
          description: `Crash test round ${round}: ${purpose}`,
        });
        // Proposed and canceled in one action, so the cancel always finds the proposal still pending.
        yield async () => {
          const withdrawn = proposal("withdrawn");
          await propose(governor, voter, withdrawn);
          await wait(governor.connect(voter).cancel(...proposalArgs(withdrawn)));
        };
        yield async () => {
          const proposalId = await propose(governor, voter, proposal("voted on"));
          await openVoting(node.connection.networkHelpers, governor, proposalId);
          await wait(governor.connect(voter).castVoteWithReason(proposalId, VoteType.For, `round ${round}`));
        };
      }
    })();
    return async () => {
      await actions.next().value();
    };
  }

  /**
   * Runs up to `count` actions one after another in the background; stopping waits for the action under way. The
   * bound keeps the chain from running far ahead while the indexer is down, so each restart catches up quickly.
   */
  function startMining(next: () => Promise<void>, count: number): { stop(): Promise<void> } {
    let stopped = false;
    const running = (async () => {
      for (let i = 0; i < count && !stopped; i++) await next();
    })();
    return {
      async stop() {
        stopped = true;
        await running;
      },
    };
  }

  it("resumes after SIGKILL at 20 points of backfill and head-following to exactly the golden index", async function () {
    const random = seededRandom(SEED);
    const next = activity();
    // Enough blocks for the backfill to outlast its kills in ranges of at most two blocks.
    for (let i = 0; i < 60; i++) await next();
    const backfillHead = await latestBlock();
    const kills: KillPoint[] = [];
    const lastKilledAt = () => kills.at(-1)?.checkpoint ?? -1n;
    const recordKill = async (phase: KillPoint["phase"], kind: KillKind) => {
      kills.push({ phase, kind, checkpoint: await checkpointNumber() });
    };

    // Backfill: the chain stands still while the indexer is killed again and again on its way to the head.
    const backfillNotDone = async () => {
      if ((await checkpointNumber()) >= backfillHead.number) {
        throw new Error(`the backfill finished before kill point ${kills.length + 1}: mine more blocks first`);
      }
    };
    const backfillKinds: KillKind[] = ["checkpoint", "delay", "mid-transaction"];
    for (let i = 0; i < KILLS_PER_PHASE; i++) {
      const kind = backfillKinds[i % backfillKinds.length];
      const indexer = startIndexer();
      // Every kill waits for a commit past the previous one, so no two kills leave the same checkpoint.
      const previous = lastKilledAt();
      await until(indexer, async () => (await checkpointNumber()) > previous, backfillNotDone);
      if (kind === "checkpoint") {
        // The n-th of these waits for n fifths of the chain, so the kills spread over the whole backfill.
        const nth = BigInt(Math.floor(i / backfillKinds.length) + 1);
        const spread = (backfillHead.number * nth) / 5n + BigInt(randomInt(random, 0, 3));
        const target = max(spread, (await checkpointNumber()) + 1n);
        await until(indexer, async () => (await checkpointNumber()) >= target, backfillNotDone);
        await kill(indexer);
      } else if (kind === "delay") {
        await sleep(randomInt(random, 0, 30));
        await kill(indexer);
      } else {
        await killMidTransaction(indexer, backfillNotDone);
      }
      await recordKill("backfill", kind);
    }

    let indexer = startIndexer();
    await until(indexer, async () => (await checkpoint())?.hash === backfillHead.hash);
    await expectGoldenAt(backfillHead);

    // Following the head: before each kill the indexer has caught up, then the chain moves on under it.
    const caughtUp = async () => (await checkpoint())?.hash === (await latestBlock()).hash;
    const headKinds: KillKind[] = ["new-blocks", "mid-poll", "mid-transaction", "delay"];
    for (let i = 0; i < KILLS_PER_PHASE; i++) {
      const kind = headKinds[i % headKinds.length];
      await until(indexer, caughtUp);
      // With nothing new since the last kill, this kill could leave the index at the same checkpoint.
      if ((await checkpointNumber()) <= lastKilledAt()) {
        await next();
        await until(indexer, caughtUp);
      }
      const base = await checkpointNumber();
      if (kind === "mid-poll") {
        await next();
        await until(indexer, caughtUp);
        await sleep(randomInt(random, 0, 2 * POLL_INTERVAL_MS));
        await kill(indexer);
      } else {
        const blocks = randomInt(random, 1, 3);
        // Within CONFIRMATIONS + 1 new blocks the indexer prunes a block kept before, and so runs into the lock.
        const miner = startMining(next, kind === "mid-transaction" ? CONFIRMATIONS + 1 : blocks + 1);
        try {
          if (kind === "new-blocks") {
            const target = base + BigInt(blocks);
            await until(indexer, async () => (await checkpointNumber()) >= target);
            await kill(indexer);
          } else if (kind === "delay") {
            await sleep(randomInt(random, 0, 60));
            await kill(indexer);
          } else {
            await killMidTransaction(indexer);
          }
        } finally {
          await miner.stop();
        }
      }
      await recordKill("head", kind);
      indexer = startIndexer();
    }

    await next();
    await until(indexer, caughtUp);
    await kill(indexer);
    await expectGoldenAt(await latestBlock());

    const backfill = kills.filter((point) => point.phase === "backfill");
    const head = kills.filter((point) => point.phase === "head");
    expect(backfill).to.have.length.of.at.least(10);
    expect(head).to.have.length.of.at.least(10);
    expect(kills).to.have.length.of.at.least(20);
    expect(backfill.every((point) => point.checkpoint < backfillHead.number)).to.equal(true);
    expect(head.every((point) => point.checkpoint > backfillHead.number)).to.equal(true);
    expect(new Set(kills.map((point) => point.checkpoint)).size, JSON.stringify(kills, replacer)).to.equal(
      kills.length,
    );
    expect(new Set(kills.map((point) => point.kind))).to.have.keys(
      "checkpoint",
      "delay",
      "mid-transaction",
      "new-blocks",
      "mid-poll",
    );
  });
});

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function replacer(_key: string, value: unknown) {
  return typeof value === "bigint" ? value.toString() : value;
}
