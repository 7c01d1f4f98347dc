import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import hre from "hardhat";
import { pino } from "pino";

import { startOrderJobs } from "../../api/src/jobs/start-order-jobs.js";
import { createDiskPhotoStore } from "../../api/src/photos/photo-store.js";
import { buildWebApp } from "../../scripts/build-web.js";
import { exportLocalChain } from "../../scripts/export-local-chain.js";
import { seedArbiter } from "../../scripts/seed-arbiter.js";
import { localFarmerAddresses, seedCatalog } from "../../scripts/seed-catalog.js";
import { startWebServer } from "../../scripts/serve-web.js";
import type { WebServer } from "../../scripts/serve-web.js";
import { startApiApp } from "./api-app.js";
import type { ApiTestApp } from "./api-app.js";
import { freePort } from "./free-port.js";
import { startIndexerProcess } from "./indexer-process.js";
import type { IndexerProcess } from "./indexer-process.js";
import { deployLocal } from "./local-deployment.js";
import { startLocalNode } from "./local-node.js";

/** Waits until the indexer has caught up with the chain (it answers /ready), so journeys start on an indexed chain. */
async function indexerReady(indexer: IndexerProcess, url: string): Promise<void> {
  for (;;) {
    if (indexer.hasExited()) throw new Error(`The indexer exited before it was ready:\n${indexer.output()}`);
    const ready = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface ChainWebStack {
  /** The web app's origin: the production build made against this stack's own chain, with /api forwarded. */
  url: string;
  node: Awaited<ReturnType<typeof startLocalNode>>;
  deployment: Awaited<ReturnType<typeof deployLocal>>;
  api: ApiTestApp;
  web: WebServer;
  indexer: IndexerProcess;
  /** The seeded farms' payout wallets, in seed order: the local farmer accounts. */
  farmerAddresses: string[];
  close(): Promise<void>;
}

/**
 * The whole marketplace as `npm run dev` runs it, on a chain of its own: a Hardhat node with the real Ignition
 * deployment, the indexer process following it, the API (with its escrow-linking and expiry jobs) on a fresh seeded
 * database (the shop and the local arbiter's account, as `npm run dev` seeds them), and the web app built against this
 * node's addresses and RPC URL. ETH checkout is off (no price feed configured, as on a shop without one) unless
 * `ethPriceFeed` gives the API the deployment's MockPriceFeed.
 */
export async function startChainWebStack({ ethPriceFeed = false } = {}): Promise<ChainWebStack> {
  const node = await startLocalNode();
  const deployment = await deployLocal(node.connection, { deploymentId: node.deploymentId });
  const work = await mkdtemp(path.join(tmpdir(), "agridao-chain-web-"));
  // The generated contracts file and the indexer's deployment file of this node only.
  const { contractsFile, deploymentFile } = await exportLocalChain(hre, { deploymentId: node.deploymentId, dir: work });
  const [escrow, usdc] = await Promise.all([deployment.escrow.getAddress(), deployment.usdc.getAddress()]);

  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const uploadDir = path.join(work, "uploads");
  const distDir = path.join(work, "dist");
  const [api] = await Promise.all([
    startApiApp({
      env: {
        UPLOAD_DIR: uploadDir,
        EVIDENCE_DIR: path.join(work, "evidence"),
        PUBLIC_WEB_ORIGIN: origin,
        LOG_LEVEL: "warn",
        CHAIN_RPC_URL: node.url,
        ESCROW_ADDRESS: escrow.toLowerCase(),
        ESCROW_TOKEN_ADDRESS: usdc.toLowerCase(),
        ESCROW_TOKEN_DECIMALS: "6",
        ESCROW_LINK_INTERVAL_SECONDS: "1",
        ...(ethPriceFeed ? { ETH_PRICE_FEED_ADDRESS: (await deployment.ethUsdFeed.getAddress()).toLowerCase() } : {}),
      },
    }),
    buildWebApp({ outDir: distDir, contractsFile, chainRpcUrl: node.url }),
  ]);
  await seedCatalog({ orm: api.orm, photoStore: createDiskPhotoStore({ dir: uploadDir }), currency: "USD" });
  await seedArbiter({ orm: api.orm });
  const farmerAddresses = localFarmerAddresses();
  const indexerPort = await freePort();
  const indexer = startIndexerProcess({
    env: {
      INDEXER_RPC_URL: node.url,
      INDEXER_CHAIN_ID: "31337",
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${api.database.name}`,
      INDEXER_CONFIRMATIONS: "0",
      INDEXER_POLL_INTERVAL_MS: "200",
      INDEXER_READY_LAG: "0",
      INDEXER_HTTP_PORT: String(indexerPort),
      INDEXER_DEPLOYMENT_FILE: deploymentFile,
    },
  });
  await indexerReady(indexer, `http://127.0.0.1:${indexerPort}/ready`);
  const jobs = startOrderJobs({
    config: api.config,
    orm: api.orm,
    store: api.store,
    log: pino({ level: "warn" }),
    notifications: api.live.notifications,
  });
  const web = await startWebServer({ distDir, apiUrl: api.url, host: "localhost", port });
  return {
    url: origin,
    node,
    deployment,
    api,
    web,
    indexer,
    farmerAddresses,
    async close() {
      await web.close();
      await jobs.stop();
      await indexer.stop("SIGTERM");
      await api.close();
      await node.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
}
