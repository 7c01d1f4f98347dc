import { expect } from "chai";
import type { Pool } from "pg";
import type { Hex } from "viem";

import type { ChainContext } from "../../indexer/src/chain-context.js";
import type { IndexedAddresses } from "../../indexer/src/decode-log.js";
import { ReorgTooDeepError } from "../../indexer/src/errors.js";
import { rebuild } from "../../indexer/src/rebuild.js";
import { RpcRangeTooLargeError } from "../../indexer/src/rpc-errors.js";
import { createIndexerRpc, createRpcClient } from "../../indexer/src/rpc.js";
import { runIndexer } from "../../indexer/src/run.js";
import { syncOnce } from "../../indexer/src/sync.js";
import type { SyncDeps, SyncStep } from "../../indexer/src/sync.js";
import type { TestDatabase } from "../support/database.js";
import { dumpIndex, indexFromScratch as indexFromScratchInto } from "../support/index-golden.js";
import type { IndexDump } from "../support/index-golden.js";
import { openOrder } from "../support/escrow-actions.js";
import { runIndexerScenario } from "../support/indexer-scenario.js";
import { deployLocal } from "../support/local-deployment.js";
import { startLocalNode } from "../support/local-node.js";
import { createIndexerDatabase, indexerTargets } from "../support/indexer-setup.js";
import { blockHashesAfter, chainRequest, latestBlock, syncToHead } from "../support/sync-harness.js";

type Deployment = Awaited<ReturnType<typeof deployLocal>>;
type LocalNode = Awaited<ReturnType<typeof startLocalNode>>;

const ETHER = 10n ** 18n;

describe("indexer sync", function () {
  let node: LocalNode;
  let deployment: Deployment;
  let addresses: IndexedAddresses;
  let context: ChainContext;
  const databases: TestDatabase[] = [];

  before(async function () {
    node = await startLocalNode();
    deployment = await deployLocal(node.connection, { deploymentId: node.deploymentId });
    await runIndexerScenario(node.connection, deployment);
    ({ addresses, context } = await indexerTargets(deployment));
  });

  after(async function () {
    for (const database of databases) await database.drop();
    await node?.stop();
  });

  async function freshDatabase(): Promise<Pool> {
    const database = await createIndexerDatabase();
    databases.push(database);
    return database.pool;
  }

  async function indexer(options: { confirmations: number; maxRange: number }): Promise<SyncDeps> {
    return {
      db: await freshDatabase(),
      rpc: createIndexerRpc({ client: createRpcClient(node.url) }),
      addresses,
      context,
      startBlock: 0n,
      confirmations: options.confirmations,
      rangePolicy: { min: 1, max: options.maxRange, fastMs: 1_000, maxLogs: 5_000 },
      state: { rangeSize: options.maxRange },
    };
  }

  async function indexFromScratch(): Promise<IndexDump> {
    return indexFromScratchInto({ connection: node.connection, db: await freshDatabase(), addresses, context });
  }

  async function eventsInBlocks(db: Pool, hashes: readonly Hex[]): Promise<number> {
    const { rows } = await db.query<{ count: string }>(
      "SELECT count(*) FROM indexer.events WHERE block_hash = ANY($1)",
      [hashes.map((hash) => hash.toLowerCase())],
    );
    return Number(rows[0].count);
  }

  const wait = async (sent: Promise<{ wait(): Promise<unknown> }>) => (await sent).wait();

  it("backfills in small ranges to exactly the index of all logs applied at once, checkpointed at the head", async function () {
    const deps = await indexer({ confirmations: 12, maxRange: 3 });
    const steps = await syncToHead(deps);

    const batches = steps.filter((step) => step.type === "block");
    expect(batches).to.have.length(steps.length);
    expect(batches.length).to.be.greaterThan(20);
    for (const batch of batches) expect(Number(batch.to - batch.from)).to.be.lessThan(3);
    expect(await dumpIndex(deps.db)).to.deep.equal(await indexFromScratch());

    const head = await latestBlock(node.connection);
    const { rows } = await deps.db.query("SELECT chain_id, block_number, block_hash FROM indexer.checkpoints");
    expect(rows).to.deep.equal([{ chain_id: 31337, block_number: head.number.toString(), block_hash: head.hash }]);
    const kept = await deps.db.query<{ number: string }>("SELECT number FROM indexer.blocks ORDER BY number");
    expect(kept.rows.map((row) => BigInt(row.number))).to.deep.equal(
      Array.from({ length: 13 }, (_, i) => head.number - 12n + BigInt(i)),
    );
  });

  it("follows the head: orders and delegations mined after the backfill appear on the next steps", async function () {
    const deps = await indexer({ confirmations: 12, maxRange: 50 });
    await syncToHead(deps);
    const { escrow, token, accounts } = deployment;
    const orderId = await openOrder(escrow, accounts.buyers[0], accounts.farmers[1], ETHER);
    await wait(token.connect(accounts.voters[0]).delegate(accounts.voters[2].address));

    const steps = await syncToHead(deps);
    expect(steps).to.have.length(1);
    expect(steps[0]).to.deep.include({ type: "block", to: (await latestBlock(node.connection)).number });
    const order = await deps.db.query("SELECT state, buyer FROM indexer.escrow_orders WHERE order_id = $1", [
      orderId.toString(),
    ]);
    expect(order.rows).to.deep.equal([{ state: "Funded", buyer: accounts.buyers[0].address.toLowerCase() }]);
    const delegation = await deps.db.query("SELECT delegate FROM indexer.delegates WHERE account = $1", [
      accounts.voters[0].address.toLowerCase(),
    ]);
    expect(delegation.rows).to.deep.equal([{ delegate: accounts.voters[2].address.toLowerCase() }]);
    expect(await dumpIndex(deps.db)).to.deep.equal(await indexFromScratch());
  });

  it("rolls back a 1-block reorg that removes an order's creation", async function () {
    const deps = await indexer({ confirmations: 12, maxRange: 50 });
    await syncToHead(deps);
    const { escrow, token, accounts } = deployment;
    const fork = await latestBlock(node.connection);
    const snapshot = await chainRequest<Hex>(node.connection, "evm_snapshot");
    const orderId = await openOrder(escrow, accounts.buyers[1], accounts.farmers[0], 2n * ETHER);
    await syncToHead(deps);
    const abandoned = await blockHashesAfter(node.connection, fork.number);
    expect(abandoned).to.have.length(1);
    expect(await eventsInBlocks(deps.db, abandoned)).to.be.greaterThan(0);

    expect(await chainRequest<boolean>(node.connection, "evm_revert", [snapshot])).to.equal(true);
    await wait(token.connect(accounts.voters[1]).transfer(accounts.others[2].address, 7n * ETHER));
    await wait(token.connect(accounts.voters[1]).transfer(accounts.others[3].address, 8n * ETHER));

    const steps = await syncToHead(deps);
    expect(steps[0]).to.deep.equal({ type: "reorg", ancestor: fork.number, method: "undo" });
    expect(steps.slice(1).every((step) => step.type === "block")).to.equal(true);
    expect(await eventsInBlocks(deps.db, abandoned)).to.equal(0);
    const order = await deps.db.query("SELECT 1 FROM indexer.escrow_orders WHERE order_id = $1", [orderId.toString()]);
    expect(order.rows).to.deep.equal([]);
    expect(await dumpIndex(deps.db)).to.deep.equal(await indexFromScratch());
  });

  it("rolls back a 3-block reorg that changes a delegation and the voting power it moved", async function () {
    const deps = await indexer({ confirmations: 12, maxRange: 50 });
    await syncToHead(deps);
    const { escrow, token, accounts } = deployment;
    const [first, second, third] = accounts.voters;
    const fork = await latestBlock(node.connection);
    const snapshot = await chainRequest<Hex>(node.connection, "evm_snapshot");
    await wait(token.connect(first).delegate(second.address));
    await wait(token.connect(third).transfer(accounts.others[4].address, 1_000n * ETHER));
    await openOrder(escrow, accounts.buyers[2], accounts.farmers[2], ETHER / 4n);
    await syncToHead(deps);
    const abandoned = await blockHashesAfter(node.connection, fork.number);
    expect(abandoned).to.have.length(3);

    expect(await chainRequest<boolean>(node.connection, "evm_revert", [snapshot])).to.equal(true);
    await wait(token.connect(first).delegate(third.address));
    await wait(token.connect(second).transfer(accounts.others[5].address, 3n * ETHER));
    await wait(token.connect(second).transfer(accounts.others[5].address, 4n * ETHER));
    await wait(token.connect(second).transfer(accounts.others[5].address, 5n * ETHER));

    const steps = await syncToHead(deps);
    expect(steps[0]).to.deep.equal({ type: "reorg", ancestor: fork.number, method: "undo" });
    expect(await eventsInBlocks(deps.db, abandoned)).to.equal(0);
    const delegation = await deps.db.query("SELECT delegate FROM indexer.delegates WHERE account = $1", [
      first.address.toLowerCase(),
    ]);
    expect(delegation.rows).to.deep.equal([{ delegate: third.address.toLowerCase() }]);
    expect(await dumpIndex(deps.db)).to.deep.equal(await indexFromScratch());
  });

  it("journals read-model changes only inside the window, and prunes the journal as blocks leave it", async function () {
    const deps = await indexer({ confirmations: 4, maxRange: 50 });
    await syncToHead(deps);
    const { token, accounts } = deployment;
    for (let i = 1n; i <= 6n; i++) await wait(token.connect(accounts.voters[1]).transfer(accounts.others[8], i));
    await syncToHead(deps);
    const { number: head } = await latestBlock(node.connection);
    const { rows } = await deps.db.query<{ block: string }>(
      "SELECT DISTINCT block_number::text AS block FROM indexer.undo_log ORDER BY 1",
    );
    // Each transfer changes balances in its own block. Blocks up to head - 4 count as final (the deepest reorg the
    // window allows keeps head - 4 as its ancestor), so only the four above it keep journal entries.
    expect(rows.map((row) => BigInt(row.block))).to.deep.equal([head - 3n, head - 2n, head - 1n, head]);
    const kept = await deps.db.query<{ number: string; journaled: boolean }>(
      "SELECT number, journaled FROM indexer.blocks ORDER BY number",
    );
    expect(kept.rows.map((row) => [BigInt(row.number), row.journaled])).to.deep.equal([
      [head - 4n, false],
      [head - 3n, true],
      [head - 2n, true],
      [head - 1n, true],
      [head, true],
    ]);
  });

  it("rebuilds the read models instead when a removed block's changes are not journaled", async function () {
    const deps = await indexer({ confirmations: 6, maxRange: 50 });
    await syncToHead(deps);
    const { token, accounts } = deployment;
    const fork = await latestBlock(node.connection);
    const snapshot = await chainRequest<Hex>(node.connection, "evm_snapshot");
    await wait(token.connect(accounts.voters[2]).delegate(accounts.voters[1].address));
    await syncToHead(deps);
    // A rebuild (after a read-model change, say) clears the journal: its row images came from the old code.
    const client = await deps.db.connect();
    try {
      await rebuild(client, context);
    } finally {
      client.release();
    }
    expect((await deps.db.query("SELECT 1 FROM indexer.undo_log")).rowCount).to.equal(0);

    expect(await chainRequest<boolean>(node.connection, "evm_revert", [snapshot])).to.equal(true);
    await wait(token.connect(accounts.voters[2]).delegate(accounts.voters[0].address));
    await wait(token.connect(accounts.voters[0]).transfer(accounts.others[5].address, 9n));

    const steps = await syncToHead(deps);
    expect(steps[0]).to.deep.equal({ type: "reorg", ancestor: fork.number, method: "rebuild" });
    expect(await dumpIndex(deps.db)).to.deep.equal(await indexFromScratch());
  });

  it("stops with ReorgTooDeepError and writes nothing when the reorg is deeper than the window", async function () {
    const deps = await indexer({ confirmations: 2, maxRange: 50 });
    await syncToHead(deps);
    const { token, accounts } = deployment;
    const snapshot = await chainRequest<Hex>(node.connection, "evm_snapshot");
    for (let i = 1n; i <= 4n; i++) await wait(token.connect(accounts.voters[2]).transfer(accounts.others[6], i));
    await syncToHead(deps);
    const before = await dumpIndex(deps.db);
    const checkpoint = await deps.db.query("SELECT * FROM indexer.checkpoints");
    const kept = await deps.db.query("SELECT * FROM indexer.blocks ORDER BY number");

    expect(await chainRequest<boolean>(node.connection, "evm_revert", [snapshot])).to.equal(true);
    for (let i = 1n; i <= 5n; i++) await wait(token.connect(accounts.voters[0]).transfer(accounts.others[7], i));

    const failure = await syncOnce(deps).catch((error: unknown) => error);
    expect(failure).to.be.instanceOf(ReorgTooDeepError);
    expect((failure as Error).message).to.match(/at least 3 blocks .* window of 2 blocks/);
    expect(await dumpIndex(deps.db)).to.deep.equal(before);
    expect((await deps.db.query("SELECT * FROM indexer.checkpoints")).rows).to.deep.equal(checkpoint.rows);
    expect((await deps.db.query("SELECT * FROM indexer.blocks ORDER BY number")).rows).to.deep.equal(kept.rows);
  });

  it("halves the range when the node refuses it as too large, and still indexes every log", async function () {
    const deps = await indexer({ confirmations: 0, maxRange: 64 });
    const node = deps.rpc;
    const served: bigint[] = [];
    deps.rpc = {
      ...node,
      async getLogsInRange(contracts, fromBlock, toBlock) {
        const size = toBlock - fromBlock + 1n;
        if (size > 5n) throw new RpcRangeTooLargeError("eth_getLogs", new Error("block range too large"));
        served.push(size);
        return node.getLogsInRange(contracts, fromBlock, toBlock);
      },
    };
    await syncToHead(deps);

    expect(served.length).to.be.greaterThan(10);
    expect(served.every((size) => size <= 5n)).to.equal(true);
    // 64 halved until the node accepts it: 32, 16, 8, then 4.
    expect(served[0]).to.equal(4n);
    expect(await dumpIndex(deps.db)).to.deep.equal(await indexFromScratch());
  });

  it("runs step after step until its stop signal aborts", async function () {
    const deps = await indexer({ confirmations: 12, maxRange: 50 });
    const controller = new AbortController();
    const seen: SyncStep["type"][] = [];
    await runIndexer(deps, {
      pollIntervalMs: 5,
      signal: controller.signal,
      onStep(step) {
        seen.push(step.type);
        if (step.type === "idle") controller.abort();
      },
    });

    expect(seen.at(-1)).to.equal("idle");
    expect(seen.filter((type) => type === "block").length).to.be.greaterThan(1);
    const { rows } = await deps.db.query<{ block_number: string }>("SELECT block_number FROM indexer.checkpoints");
    expect(BigInt(rows[0].block_number)).to.equal((await latestBlock(node.connection)).number);
  });
});
