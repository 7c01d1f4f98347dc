import { expect } from "chai";
import type { Pool } from "pg";
import type { Hex } from "viem";

import type { ChainContext } from "../../indexer/src/chain-context.js";
import type { IndexedAddresses } from "../../indexer/src/decode-log.js";
import { createIndexerRpc, createRpcClient } from "../../indexer/src/rpc.js";
import type { SyncDeps } from "../../indexer/src/sync.js";
import type { TestDatabase } from "../support/database.js";
import { asTimelock, openOrder } from "../support/escrow-actions.js";
import { VoteType, delegateToSelf, openVoting, propose } from "../support/governance-actions.js";
import { dumpIndex, indexFromScratch } from "../support/index-golden.js";
import { createIndexerDatabase, indexerTargets } from "../support/indexer-setup.js";
import { deployLocal } from "../support/local-deployment.js";
import { startLocalNode } from "../support/local-node.js";
import { blockHashesAfter, chainRequest, latestBlock, syncToHead } from "../support/sync-harness.js";

type Deployment = Awaited<ReturnType<typeof deployLocal>>;
type LocalNode = Awaited<ReturnType<typeof startLocalNode>>;

const ETHER = 10n ** 18n;
/** The confirmation depth: the indexer keeps this many blocks below its checkpoint to find a common ancestor in. */
const WINDOW = 5;

describe("indexer reorgs", function () {
  let node: LocalNode;
  let deployment: Deployment;
  let addresses: IndexedAddresses;
  let context: ChainContext;
  const databases: TestDatabase[] = [];

  before(async function () {
    node = await startLocalNode();
    deployment = await deployLocal(node.connection, { deploymentId: node.deploymentId });
    const { escrow, token, accounts } = deployment;
    await delegateToSelf(token, accounts.voters);
    await openOrder(escrow, accounts.buyers[0], accounts.farmers[0], ETHER);
    await token.connect(accounts.voters[0]).transfer(accounts.others[0].address, 10n * ETHER);
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

  async function indexer(): Promise<SyncDeps> {
    return {
      db: await freshDatabase(),
      rpc: createIndexerRpc({ client: createRpcClient(node.url) }),
      addresses,
      context,
      startBlock: 0n,
      confirmations: WINDOW,
      rangePolicy: { min: 1, max: 50, fastMs: 1_000, maxLogs: 5_000 },
      state: { rangeSize: 50 },
    };
  }

  async function golden() {
    return indexFromScratch({ connection: node.connection, db: await freshDatabase(), addresses, context });
  }

  /** Rows the index still holds from the given blocks: events, and kept block headers. */
  async function rowsFrom(db: Pool, hashes: readonly Hex[]): Promise<number> {
    const { rows } = await db.query<{ count: string }>(
      `SELECT (SELECT count(*) FROM indexer.events WHERE block_hash = ANY($1))
            + (SELECT count(*) FROM indexer.blocks WHERE hash = ANY($1)) AS count`,
      [hashes.map((hash) => hash.toLowerCase())],
    );
    return Number(rows[0].count);
  }

  /**
   * Indexes to the head, mines `depth` blocks with events on one branch and indexes them, then reverts and mines a
   * longer branch of other transactions; returns the index after it followed the new branch, and the fork point.
   */
  async function reorgOfDepth(depth: number) {
    const deps = await indexer();
    await syncToHead(deps);
    const { escrow, token, accounts } = deployment;
    const fork = await latestBlock(node.connection);
    const snapshot = await chainRequest<Hex>(node.connection, "evm_snapshot");
    await openOrder(escrow, accounts.buyers[1], accounts.farmers[1], ETHER / 2n);
    for (let i = 1; i < depth; i++) await token.connect(accounts.voters[1]).transfer(accounts.others[1].address, ETHER);
    await syncToHead(deps);
    const abandoned = await blockHashesAfter(node.connection, fork.number);
    expect(abandoned).to.have.length(depth);
    expect(await rowsFrom(deps.db, abandoned)).to.be.greaterThan(depth);

    expect(await chainRequest<boolean>(node.connection, "evm_revert", [snapshot])).to.equal(true);
    await token.connect(accounts.others[0]).delegate(accounts.others[0].address);
    for (let i = 0; i < depth; i++) await token.connect(accounts.voters[2]).transfer(accounts.others[2].address, ETHER);
    const steps = await syncToHead(deps);
    return { deps, fork, abandoned, steps };
  }

  it("rolls back a reorg one block shallower than the confirmation window to the fork and indexes the new branch", async function () {
    const { deps, fork, abandoned, steps } = await reorgOfDepth(WINDOW - 1);

    expect(steps[0]).to.deep.equal({ type: "reorg", ancestor: fork.number, method: "undo" });
    expect(steps.slice(1).map((step) => step.type)).to.deep.equal(["block"]);
    expect(await rowsFrom(deps.db, abandoned)).to.equal(0);
    expect(await dumpIndex(deps.db)).to.deep.equal(await golden());
    const { rows } = await deps.db.query("SELECT block_number, block_hash FROM indexer.checkpoints");
    const latest = await latestBlock(node.connection);
    expect(rows).to.deep.equal([{ block_number: latest.number.toString(), block_hash: latest.hash }]);
  });

  it("still finds the fork when the reorg is exactly as deep as the confirmation window", async function () {
    const { deps, fork, abandoned, steps } = await reorgOfDepth(WINDOW);

    expect(steps[0]).to.deep.equal({ type: "reorg", ancestor: fork.number, method: "undo" });
    expect(await rowsFrom(deps.db, abandoned)).to.equal(0);
    expect(await dumpIndex(deps.db)).to.deep.equal(await golden());
  });

  it("undoes an arbiter granted on the abandoned branch and keeps the arbiter who renounced on the new one", async function () {
    const { escrow, timelock, accounts } = deployment;
    const arbiterRole = await escrow.ARBITER_ROLE();
    const [newcomer] = accounts.others;
    const deps = await indexer();
    await syncToHead(deps);
    const arbiters = async () =>
      (
        await deps.db.query<{ account: string; holds: boolean }>(
          "SELECT account, holds FROM indexer.role_holders WHERE role = $1 ORDER BY account",
          [arbiterRole],
        )
      ).rows;
    const arbiter = accounts.arbiter.address.toLowerCase();
    expect(await arbiters()).to.deep.equal([{ account: arbiter, holds: true }]);

    const fork = await latestBlock(node.connection);
    const snapshot = await chainRequest<Hex>(node.connection, "evm_snapshot");
    const dao = await asTimelock(node.connection, timelock);
    await escrow.connect(dao).grantRole(arbiterRole, newcomer.address);
    await syncToHead(deps);
    expect(await arbiters()).to.deep.include({ account: newcomer.address.toLowerCase(), holds: true });

    expect(await chainRequest<boolean>(node.connection, "evm_revert", [snapshot])).to.equal(true);
    await escrow.connect(accounts.arbiter).renounceRole(arbiterRole, accounts.arbiter.address);
    await deployment.token.connect(accounts.voters[2]).transfer(accounts.others[2].address, ETHER);
    const steps = await syncToHead(deps);

    expect(steps[0]).to.deep.equal({ type: "reorg", ancestor: fork.number, method: "undo" });
    expect(await arbiters()).to.deep.equal([{ account: arbiter, holds: false }]);
    expect(await escrow.hasRole(arbiterRole, newcomer.address)).to.equal(false);
    expect(await dumpIndex(deps.db)).to.deep.equal(await golden());
  });

  it("replaces a For vote of the abandoned branch with the Against vote and other voter of the new one", async function () {
    const { governor, accounts, escrow } = deployment;
    const [proposer, switcher, latecomer] = accounts.voters;
    const proposalId = await propose(governor, proposer, {
      targets: [await escrow.getAddress()],
      values: [0n],
      calldatas: [escrow.interface.encodeFunctionData("setFee", [150])],
      description: "Lower the platform fee to 1.5% (reorg test)",
    });
    await openVoting(node.connection.networkHelpers, governor, proposalId);
    const deps = await indexer();
    await syncToHead(deps);
    const fork = await latestBlock(node.connection);
    const snapshot = await chainRequest<Hex>(node.connection, "evm_snapshot");
    await governor.connect(switcher).castVoteWithReason(proposalId, VoteType.For, "cheaper for buyers");
    await syncToHead(deps);

    const voteOf = (db: Pool) =>
      db.query("SELECT voter, support, reason FROM indexer.votes WHERE proposal_id = $1 ORDER BY voter", [
        proposalId.toString(),
      ]);
    const tallies = (db: Pool) =>
      db.query("SELECT for_votes, against_votes, abstain_votes FROM indexer.proposals WHERE proposal_id = $1", [
        proposalId.toString(),
      ]);
    const weight = (await governor.getVotes(switcher.address, await governor.proposalSnapshot(proposalId))).toString();
    expect((await voteOf(deps.db)).rows).to.deep.equal([
      { voter: switcher.address.toLowerCase(), support: VoteType.For, reason: "cheaper for buyers" },
    ]);
    expect((await tallies(deps.db)).rows).to.deep.equal([
      { for_votes: weight, against_votes: "0", abstain_votes: "0" },
    ]);

    expect(await chainRequest<boolean>(node.connection, "evm_revert", [snapshot])).to.equal(true);
    await governor.connect(switcher).castVoteWithReason(proposalId, VoteType.Against, "arbiters need the fee");
    await governor.connect(latecomer).castVote(proposalId, VoteType.For);
    const steps = await syncToHead(deps);

    expect(steps[0]).to.deep.equal({ type: "reorg", ancestor: fork.number, method: "undo" });
    const latecomerWeight = await governor.getVotes(latecomer.address, await governor.proposalSnapshot(proposalId));
    expect(latecomerWeight).to.be.greaterThan(0n);
    expect((await voteOf(deps.db)).rows).to.have.deep.members([
      { voter: switcher.address.toLowerCase(), support: VoteType.Against, reason: "arbiters need the fee" },
      { voter: latecomer.address.toLowerCase(), support: VoteType.For, reason: "" },
    ]);
    expect((await tallies(deps.db)).rows).to.deep.equal([
      { for_votes: latecomerWeight.toString(), against_votes: weight, abstain_votes: "0" },
    ]);
    const [againstVotes, forVotes] = await governor.proposalVotes(proposalId);
    expect([forVotes.toString(), againstVotes.toString()]).to.deep.equal([latecomerWeight.toString(), weight]);
    expect(await dumpIndex(deps.db)).to.deep.equal(await golden());
  });
});
