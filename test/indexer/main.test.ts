import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { createTestDatabase } from "../support/database.js";
import type { TestDatabase } from "../support/database.js";
import { openOrder } from "../support/escrow-actions.js";
import { freePort } from "../support/free-port.js";
import { startIndexerProcess } from "../support/indexer-process.js";
import type { IndexerProcess } from "../support/indexer-process.js";
import { deployLocal } from "../support/local-deployment.js";
import { startLocalNode } from "../support/local-node.js";

type Deployment = Awaited<ReturnType<typeof deployLocal>>;
type LocalNode = Awaited<ReturnType<typeof startLocalNode>>;

const ETHER = 10n ** 18n;

/** Polls `check` until it holds; the test's own timeout bounds the wait. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check().catch(() => false))) await new Promise((resolve) => setTimeout(resolve, 100));
}

async function status(url: string): Promise<number> {
  return (await fetch(url)).status;
}

describe("npm run indexer (the indexer process)", function () {
  this.timeout(120_000);
  let node: LocalNode;
  let deployment: Deployment;
  let database: TestDatabase;
  let deploymentFile: string;
  const indexers: IndexerProcess[] = [];

  before(async function () {
    node = await startLocalNode();
    deployment = await deployLocal(node.connection, { deploymentId: node.deploymentId });
    const { escrow, token, governor, timelock } = deployment;
    deploymentFile = path.join(await mkdtemp(path.join(tmpdir(), "agridao-indexer-")), "deployment.json");
    await writeFile(
      deploymentFile,
      JSON.stringify({
        chainId: 31337,
        startBlock: 0,
        addresses: {
          MarketplaceEscrow: await escrow.getAddress(),
          AgriToken: await token.getAddress(),
          AgriGovernor: await governor.getAddress(),
          AgriTimelock: await timelock.getAddress(),
        },
      }),
    );
    database = await createTestDatabase();
  });

  after(async function () {
    for (const indexer of indexers) await indexer.stop("SIGKILL");
    await database?.drop();
    await node?.stop();
  });

  function startIndexer(httpPort: number, args: string[] = []) {
    const indexer = startIndexerProcess({
      args,
      env: {
        INDEXER_RPC_URL: node.url,
        INDEXER_CHAIN_ID: "31337",
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database.name}`,
        INDEXER_CONFIRMATIONS: "0",
        INDEXER_POLL_INTERVAL_MS: "50",
        // Ready only once at the head, so what the test mined before starting is indexed when /ready says so.
        INDEXER_READY_LAG: "0",
        INDEXER_HTTP_PORT: String(httpPort),
        INDEXER_DEPLOYMENT_FILE: deploymentFile,
      },
    });
    indexers.push(indexer);
    return { ...indexer, base: `http://127.0.0.1:${httpPort}` };
  }

  async function indexedOrders(): Promise<number> {
    const { rows } = await database.pool.query<{ n: string }>("SELECT count(*) AS n FROM indexer.escrow_orders");
    return Number(rows[0].n);
  }

  it("indexes to the head, hands over to a standby when killed, rebuilds, and stops cleanly on SIGTERM", async () => {
    const [buyer] = deployment.accounts.buyers;
    const [seller] = deployment.accounts.farmers;
    await openOrder(deployment.escrow, buyer, seller, ETHER);

    const active = startIndexer(await freePort());
    await eventually(async () => (await status(`${active.base}/ready`)) === 200);
    expect(await indexedOrders()).to.equal(1);
    expect(await (await fetch(`${active.base}/metrics`)).text()).to.match(/indexer_indexed_block \d+/);

    // A second indexer on the same database waits: it must not write while the first holds the lock.
    const standby = startIndexer(await freePort());
    await eventually(() => Promise.resolve(standby.output().includes("waiting as a standby")));
    expect(await status(`${standby.base}/health`)).to.equal(200);

    await active.stop("SIGKILL");
    await openOrder(deployment.escrow, buyer, seller, ETHER);
    await eventually(async () => (await indexedOrders()) === 2);
    expect(standby.output()).to.include("writer lock held");

    expect(await standby.stop("SIGTERM")).to.equal(0);

    const rebuild = startIndexer(await freePort(), ["rebuild"]);
    expect(await rebuild.exited, rebuild.output()).to.equal(0);
    expect(rebuild.output()).to.include("read models rebuilt");
    expect(await indexedOrders()).to.equal(2);
  });

  it("refuses to start with a configuration error that names the variable", async () => {
    const child = spawn("npm", ["run", "--silent", "indexer"], {
      env: { ...process.env, INDEXER_RPC_URL: "not a url", INDEXER_CHAIN_ID: "31337", DATABASE_URL: "x" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).to.equal(1);
    expect(output).to.include("INDEXER_RPC_URL").and.to.include("DATABASE_URL");
  });
});
