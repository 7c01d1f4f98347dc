import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";

import hre from "hardhat";
import pg from "pg";
import { toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { LOCAL_ROLES, LOCAL_VOTER_AGRI, localParameters } from "../deploy/local.js";
import { LOCAL_CHAIN_ID } from "../protocol/local-chain-id.js";
import LocalModule from "../deploy/LocalModule.js";
import { forgetChain } from "../indexer/src/forget-chain.js";
import { migrate as migrateIndexer } from "../indexer/src/migrations.js";

import { loadDevConfig } from "./dev-config.js";
import { startDevDatabase } from "./dev-database.js";
import type { DevDatabase } from "./dev-database.js";
import { loadOrCreateDevSecret } from "./dev-secret.js";
import { startDevService, waitUntilReady } from "./dev-service.js";
import type { DevService } from "./dev-service.js";
import { exportLocalChain } from "./export-local-chain.js";
import { LOCAL_BUYER_USDC, fundLocalAccounts } from "./fund-local-accounts.js";
import { createLocalStripeServer } from "./local-stripe/create-local-stripe-server.js";

const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

const config = loadDevConfig();

console.log("Starting the local chain…");
const server = await hre.network.createServer("hardhat", config.chainHost, config.chainPort);
try {
  await server.listen();
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") {
    console.error(
      `Port ${config.chainPort} on ${config.chainHost} is already in use (another node or \`npm run dev\`?). ` +
        "Stop it, or set AGRIDAO_CHAIN_PORT to a free port.",
    );
    process.exit(1);
  }
  throw error;
}
const rpcUrl = `http://${config.chainHost}:${config.chainPort}`;

const connection = await hre.network.create({ network: "localhost", override: { url: rpcUrl } });
const { ethers, ignition } = connection;
const signers = await ethers.getSigners();

console.log("Deploying AgriDAO (Ignition LocalModule)…");
// The node starts empty every run, so nothing of an earlier run's deployment is kept: a fresh id, and the run's own
// files. They live in the data directory, never in deploy/deployments or protocol/generated, which the build, the tests
// and every later process read: this chain dies with the stack.
const localChainDir = path.join(config.dataDir, "local-chain");
await rm(localChainDir, { recursive: true, force: true });
const deploymentId = `dev-${randomBytes(6).toString("hex")}`;
const deployed = await ignition.deploy(LocalModule, {
  parameters: localParameters(signers.map((s) => s.address)),
  deploymentId,
  displayUi: false,
});
const localChain = await exportLocalChain(hre, { deploymentId, dir: localChainDir });

const cast = {
  buyers: LOCAL_ROLES.buyers.map((i) => signers[i]),
  voters: LOCAL_ROLES.voters.map((i) => signers[i]),
};
console.log("Funding local accounts…");
await fundLocalAccounts(
  {
    usdc: await ethers.getContractAt("MockUSDC", await deployed.usdc.getAddress()),
    token: await ethers.getContractAt("AgriToken", await deployed.token.getAddress()),
  },
  cast,
);

// Browsers reach the API through the web app's dev server, so that is the origin the API must trust (CORS, the refresh
// cookie's Origin check) and the one wallets sign in from.
const webUrl = `http://localhost:${config.webPort}`;
const apiUrl = `http://127.0.0.1:${config.apiPort}`;

// Card payments go to the local Stripe server: the API's real stripe SDK talks to it, and it signs the webhooks it
// sends back to the API with a secret made for this run (both ends get it here, so nothing needs configuring).
console.log("Starting the local Stripe server…");
const webhookSecret = `whsec_${randomBytes(24).toString("hex")}`;
const stripe = await createLocalStripeServer({
  host: config.host,
  webhook: { url: `${apiUrl}/api/stripe/webhook`, secret: webhookSecret },
});

const services: DevService[] = [];
let database: DevDatabase | undefined;
let stopping = false;
const stop = async (exitCode: number) => {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping…");
  for (const service of services.toReversed()) await service.stop();
  await stripe.close();
  await database?.stop();
  await connection.close();
  await server.close();
  process.exit(exitCode);
};
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

console.log("Starting PostgreSQL…");
try {
  database = await startDevDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: path.join(config.dataDir, "postgres"),
    port: config.postgresPort,
    log: (line) => console.log(line),
  });
  await resetLocalChainIndex(database.url);
} catch (error) {
  console.error((error as Error).message);
  await stop(1);
}
const databaseUrl = database!.url;

console.log("Starting the indexer…");
const indexerUrl = `http://127.0.0.1:${config.indexerHttpPort}`;
const indexer = startDevService({
  name: "indexer",
  command: process.execPath,
  args: ["--import", "tsx", "indexer/src/main.ts"],
  env: {
    INDEXER_RPC_URL: rpcUrl,
    INDEXER_CHAIN_ID: String(LOCAL_CHAIN_ID),
    DATABASE_URL: databaseUrl,
    REDIS_URL: config.redisUrl,
    INDEXER_HTTP_HOST: config.host,
    INDEXER_HTTP_PORT: String(config.indexerHttpPort),
    INDEXER_DEPLOYMENT_FILE: localChain.deploymentFile,
  },
});
/** Watches a started service: the stack stops if it dies, and the start fails if it is not ready in time. */
async function supervise(service: DevService, readyUrl: string) {
  services.push(service);
  void service.exited.then((code) => {
    if (stopping) return;
    console.error(`\n${service.name} exited unexpectedly (${code}); stopping the stack.`);
    void stop(1);
  });
  try {
    await waitUntilReady(service, readyUrl, 90_000);
  } catch (error) {
    console.error((error as Error).message);
    await stop(1);
  }
}

await supervise(indexer, `${indexerUrl}/ready`);

const apiEnv = {
  PUBLIC_WEB_ORIGIN: webUrl,
  API_HOST: config.host,
  API_PORT: String(config.apiPort),
  DATABASE_URL: databaseUrl,
  REDIS_URL: config.redisUrl,
  CHAIN_ID: String(LOCAL_CHAIN_ID),
  CHAIN_RPC_URL: rpcUrl,
  // This run's contracts: the generated file the API would otherwise read them from names no local chain.
  ESCROW_ADDRESS: await deployed.escrow.getAddress(),
  ESCROW_TOKEN_ADDRESS: await deployed.usdc.getAddress(),
  ETH_PRICE_FEED_ADDRESS: await deployed.ethUsdFeed.getAddress(),
  GOVERNOR_ADDRESS: await deployed.governor.getAddress(),
  JWT_SECRET: await loadOrCreateDevSecret(path.join(config.dataDir, "jwt-secret")),
  // Gasless votes are relayed from Hardhat's last well-known account, which plays no other part locally.
  RELAYER_PRIVATE_KEY: toHex(
    mnemonicToAccount("test test test test test test test test test test test junk", { addressIndex: 19 }).getHdKey()
      .privateKey!,
  ),
  UPLOAD_DIR: path.join(config.dataDir, "uploads"),
  EVIDENCE_DIR: path.join(config.dataDir, "evidence"),
  // Any sk_test_ key: the local server accepts every test key.
  STRIPE_SECRET_KEY: "sk_test_agridao_local",
  STRIPE_WEBHOOK_SECRET: webhookSecret,
  STRIPE_API_URL: stripe.url,
  WEB_APP_URL: webUrl,
  // The local MockPriceFeed is priced once, at deployment, and never updates: it must not go stale during a session.
  ETH_PRICE_MAX_AGE_SECONDS: String(365 * 24 * 60 * 60),
};

console.log("Seeding the shop (farms, products, photos)…");
const seed = startDevService({
  name: "seed",
  command: process.execPath,
  args: ["--import", "tsx", "scripts/seed-catalog-command.ts"],
  env: apiEnv,
});
const seeded = await seed.exited;
if (seeded !== 0) {
  console.error(`Seeding the shop failed (${seeded}); see its log above.`);
  await stop(1);
}

console.log("Starting the API…");
const api = startDevService({
  name: "api",
  command: process.execPath,
  args: ["--import", "tsx", "api/src/main.ts"],
  env: apiEnv,
});
await supervise(api, `${apiUrl}/ready`);

console.log("Starting the web app…");
const web = startDevService({
  name: "web",
  command: process.execPath,
  args: [
    "node_modules/vite/bin/vite.js",
    "--config",
    "web/vite.config.ts",
    "--host",
    config.host,
    "--port",
    String(config.webPort),
  ],
  env: {
    AGRIDAO_API_URL: apiUrl,
    AGRIDAO_CONTRACTS_FILE: localChain.contractsFile,
    VITE_CHAIN_ID: String(LOCAL_CHAIN_ID),
    VITE_CHAIN_RPC_URL: rpcUrl,
  },
});
await supervise(web, `http://${config.host}:${config.webPort}/`);

printSummary();
console.log("\nThe stack is up. Press Ctrl-C to stop.");
await server.afterClosed();

/**
 * The local node starts empty every run, so what was indexed from the previous run's chain describes blocks that no
 * longer exist; the indexer would rightly refuse it as a reorg deeper than its window.
 */
async function resetLocalChainIndex(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await migrateIndexer(client);
    await forgetChain(client, LOCAL_CHAIN_ID);
  } finally {
    await client.end();
  }
}

function printSummary() {
  const contracts = Object.entries({
    MarketplaceEscrow: deployed.escrow,
    AgriToken: deployed.token,
    AgriGovernor: deployed.governor,
    AgriTimelock: deployed.timelock,
    MockUSDC: deployed.usdc,
    MockPriceFeed: deployed.ethUsdFeed,
  }).map(([name, contract]) => ({ contract: name, address: contract.target }));

  const roleOf = (index: number): string => {
    if (index === LOCAL_ROLES.deployer) return "deployer, contract admin and guardian; the web faucet pays from it";
    if (index === LOCAL_ROLES.arbiter) {
      return "arbiter and admin: sign in with it for the dispute queue (/arbiter) and the admin page; rules on escrow disputes";
    }
    if ((LOCAL_ROLES.farmers as readonly number[]).includes(index)) {
      return "farmer: owns a seeded farm (sign in with it for the farm dashboard)";
    }
    if ((LOCAL_ROLES.buyers as readonly number[]).includes(index)) {
      return `buyer, ${ethers.formatUnits(LOCAL_BUYER_USDC, 6)} USDC`;
    }
    if ((LOCAL_ROLES.voters as readonly number[]).includes(index))
      return `voter, ${ethers.formatEther(LOCAL_VOTER_AGRI)} AGRI self-delegated`;
    return "spare";
  };
  const accounts = signers.slice(0, 12).map((signer, index) => ({
    role: roleOf(index),
    address: signer.address,
    privateKey: ethers.HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey,
  }));

  console.log(`\nChain: ${rpcUrl} (chain id ${LOCAL_CHAIN_ID})`);
  console.log(`Database: ${database?.description}`);
  console.log(`Indexer: ${indexerUrl}/ready, ${indexerUrl}/metrics`);
  console.log(`API: ${apiUrl}/api (docs: ${apiUrl}/api/docs)`);
  console.log(`Web app: ${webUrl}  <- open this`);
  console.log(`Local Stripe: ${stripe.url} (webhooks to ${apiUrl}/api/stripe/webhook; test card 4242 4242 4242 4242)`);
  console.log(`Redis: ${config.redisUrl ?? "none (in-process equivalents)"}`);
  console.log(`Contract ABIs and addresses: ${path.relative(process.cwd(), localChain.contractsFile)}`);
  console.table(contracts);
  console.log("Accounts (Hardhat's public test keys: never use them on a real network; each holds 10,000 ETH):");
  console.table(accounts);
}
