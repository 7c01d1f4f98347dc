import { expect } from "chai";
import { Redis } from "ioredis";
import pg from "pg";

import { createAnnouncer } from "../../indexer/src/announce.js";
import { announceChannel, notifyChannel } from "../../protocol/announcement.js";
import type { Announcement } from "../../protocol/announcement.js";
import type { ChainContext } from "../../indexer/src/chain-context.js";
import type { IndexedAddresses } from "../../indexer/src/decode-log.js";
import { createIndexerRpc, createRpcClient } from "../../indexer/src/rpc.js";
import { runIndexer } from "../../indexer/src/run.js";
import type { SyncDeps } from "../../indexer/src/sync.js";
import type { TestDatabase } from "../support/database.js";
import { openOrder } from "../support/escrow-actions.js";
import { deployLocal } from "../support/local-deployment.js";
import { startLocalNode } from "../support/local-node.js";
import { createIndexerDatabase, indexerTargets } from "../support/indexer-setup.js";

type Deployment = Awaited<ReturnType<typeof deployLocal>>;
type LocalNode = Awaited<ReturnType<typeof startLocalNode>>;

const ETHER = 10n ** 18n;
const REDIS_URL = "redis://127.0.0.1:6379";

describe("indexer announcements", function () {
  let node: LocalNode;
  let deployment: Deployment;
  let addresses: IndexedAddresses;
  let context: ChainContext;
  const databases: TestDatabase[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async function () {
    node = await startLocalNode();
    deployment = await deployLocal(node.connection, { deploymentId: node.deploymentId });
    ({ addresses, context } = await indexerTargets(deployment));
  });

  afterEach(async function () {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  after(async function () {
    for (const database of databases) await database.drop();
    await node?.stop();
  });

  async function syncDeps(): Promise<SyncDeps> {
    const database = await createIndexerDatabase();
    databases.push(database);
    return {
      db: database.pool,
      rpc: createIndexerRpc({ client: createRpcClient(node.url) }),
      addresses,
      context,
      startBlock: 0n,
      confirmations: 0,
      rangePolicy: { min: 1, max: 1_000, fastMs: 1_000, maxLogs: 5_000 },
      state: { rangeSize: 1_000 },
    };
  }

  /** Runs the indexer with announcements until the test ends. */
  function startIndexer(deps: SyncDeps, redis?: Redis) {
    const announcer = createAnnouncer({ chainId: context.chainId, redis, db: deps.db });
    const controller = new AbortController();
    const running = runIndexer(deps, {
      pollIntervalMs: 20,
      signal: controller.signal,
      onStep: (step) => announcer.announce(step),
    });
    cleanups.push(async () => {
      controller.abort();
      await running;
    });
  }

  /** Resolves with the first announcement that names `orderId`. */
  function announcementNaming(orderId: bigint, subscribe: (onMessage: (text: string) => void) => void) {
    return new Promise<Announcement>((resolve) =>
      subscribe((text) => {
        const message = JSON.parse(text) as Announcement;
        if (message.type === "block" && message.orderIds.includes(orderId.toString())) resolve(message);
      }),
    );
  }

  async function createOrder() {
    const [buyer, seller] = [deployment.accounts.buyers[0], deployment.accounts.farmers[0]];
    const orderId = await openOrder(deployment.escrow, buyer, seller, ETHER);
    return { orderId, buyer: buyer.address.toLowerCase(), seller: seller.address.toLowerCase() };
  }

  it("publishes a created order on Redis once its block is committed", async function () {
    const subscriber = new Redis(REDIS_URL);
    const publisher = new Redis(REDIS_URL);
    cleanups.push(
      () => subscriber.quit(),
      () => publisher.quit(),
    );
    await subscriber.subscribe(announceChannel(context.chainId));
    const { orderId, buyer, seller } = await createOrder();
    const received = announcementNaming(orderId, (onMessage) =>
      subscriber.on("message", (_channel: string, text: string) => onMessage(text)),
    );

    const deps = await syncDeps();
    startIndexer(deps, publisher);
    const message = await received;

    expect(message).to.include({ type: "block", chainId: context.chainId });
    expect(message.type === "block" && message.accounts).to.include.members([buyer, seller]);
    // Announced after the commit: the order is already readable.
    const { rows } = await deps.db.query("SELECT 1 FROM indexer.escrow_orders WHERE order_id = $1", [
      orderId.toString(),
    ]);
    expect(rows).to.have.length(1);
  });

  it("notifies PostgreSQL listeners when no Redis is configured", async function () {
    const deps = await syncDeps();
    const listener = new pg.Client({
      host: "127.0.0.1",
      port: 5432,
      user: "postgres",
      database: databases[databases.length - 1].name,
    });
    await listener.connect();
    cleanups.push(() => listener.end());
    await listener.query(`LISTEN ${notifyChannel(context.chainId)}`);
    const { orderId } = await createOrder();
    const received = announcementNaming(orderId, (onMessage) =>
      listener.on("notification", (notification) => onMessage(notification.payload ?? "{}")),
    );

    startIndexer(deps);

    expect(await received).to.include({ type: "block", chainId: context.chainId });
  });
});
