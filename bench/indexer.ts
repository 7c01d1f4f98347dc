import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import hre from "hardhat";
import pg from "pg";
import type { Abi, Address, Hex } from "viem";
import { toHex } from "viem";

import { LOCAL_ROLES } from "../deploy/local.js";
import { notifyChannel } from "../protocol/announcement.js";
import { agriGovernorAbi, agriTokenAbi, marketplaceEscrowAbi, mockUSDCAbi } from "../protocol/generated/contracts.js";
import { createTestDatabase } from "../test/support/database.js";
import type { TestDatabase } from "../test/support/database.js";
import { freePort } from "../test/support/free-port.js";
import { deployLocal } from "../test/support/local-deployment.js";

import { measureHeadLatency, percentile } from "./head-latency.js";
import { createIndexerLoad } from "./indexer-load.js";
import { createJsonRpc } from "./json-rpc.js";
import type { JsonRpc } from "./json-rpc.js";
import { createLoadChain } from "./load-chain.js";
import { startLoggedProcess } from "./logged-process.js";
import { installPonder, measurePonderBackfill } from "./ponder-backfill.js";
import { waitFor } from "./wait-for.js";

// npm run bench:indexer: a fresh local chain under a marketplace's and a DAO's load, indexed from scratch into a
// fresh database by the real indexer process; then the same chain indexed by Ponder for comparison.
// BENCH_ROUNDS, BENCH_TXS_PER_BLOCK, BENCH_HEAD_BLOCKS and BENCH_HEAD_RATE change the load; BENCH_SKIP_PONDER=1
// leaves Ponder out.

const CHAIN_ID = 31337;
const MIN_EVENTS = 50_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);
const TXS_PER_BLOCK = Number(process.env.BENCH_TXS_PER_BLOCK ?? 150);
const HEAD_BLOCKS = Number(process.env.BENCH_HEAD_BLOCKS ?? 150);
const HEAD_RATE = Number(process.env.BENCH_HEAD_RATE ?? 5);
const SKIP_PONDER = process.env.BENCH_SKIP_PONDER === "1";
const EXTRA_BUYERS = 160;
const EXTRA_FARMERS = 60;
const MEMBERS = 100;
const ACCOUNTS = 11 + EXTRA_BUYERS + EXTRA_FARMERS + MEMBERS;
const SERVER = "postgres://postgres@127.0.0.1:5432";

const resultsDir = path.join(import.meta.dirname, "results");
await mkdir(resultsDir, { recursive: true });
const log = (line: string) => console.log(`[bench:indexer] ${line}`);
const seconds = (ms: number) => Math.round(ms) / 1_000;

log(`Starting a local chain with ${ACCOUNTS} funded accounts…`);
const server = await hre.network.createServer(
  // Blocks far below the gas limit keep the base fee falling however many transactions the load packs into one.
  { network: "hardhat", override: { accounts: { count: ACCOUNTS }, blockGasLimit: 1_000_000_000 } },
  "127.0.0.1",
  0,
);
const { port: chainPort } = await server.listen();
const rpcUrl = `http://127.0.0.1:${chainPort}`;
const connection = await hre.network.create({ network: "localhost", override: { url: rpcUrl } });
const deploymentId = `bench-${randomBytes(6).toString("hex")}`;
const databases: TestDatabase[] = [];

try {
  const deployment = await deployLocal(connection, { deploymentId });
  const rpc = createJsonRpc(rpcUrl);
  const accounts = (await connection.ethers.getSigners()).map((signer) => signer.address as Address);
  const contracts = {
    escrow: (await deployment.escrow.getAddress()) as Address,
    token: (await deployment.token.getAddress()) as Address,
    governor: (await deployment.governor.getAddress()) as Address,
    usdc: (await deployment.usdc.getAddress()) as Address,
    treasury: (await deployment.escrow.treasury()) as Address,
    timelock: (await deployment.timelock.getAddress()) as Address,
  };
  const indexed = [contracts.escrow, contracts.token, contracts.governor];
  const extra = accounts.slice(11);
  const cast = {
    arbiter: accounts[LOCAL_ROLES.arbiter],
    voters: LOCAL_ROLES.voters.map((i) => accounts[i]),
    buyers: [...LOCAL_ROLES.buyers.map((i) => accounts[i]), ...extra.slice(0, EXTRA_BUYERS)],
    farmers: [
      ...LOCAL_ROLES.farmers.map((i) => accounts[i]),
      ...extra.slice(EXTRA_BUYERS, EXTRA_BUYERS + EXTRA_FARMERS),
    ],
    members: extra.slice(EXTRA_BUYERS + EXTRA_FARMERS, EXTRA_BUYERS + EXTRA_FARMERS + MEMBERS),
  };

  await rpc.call("evm_setAutomine", [false]);
  const chain = createLoadChain({
    rpc,
    addresses: [...indexed, contracts.usdc],
    abi: [...marketplaceEscrowAbi, ...agriTokenAbi, ...agriGovernorAbi, ...mockUSDCAbi] as Abi,
    txsPerBlock: TXS_PER_BLOCK,
  });
  const load = createIndexerLoad({ chain, contracts, cast });

  log(`Generating the load: ${ROUNDS} rounds, up to ${TXS_PER_BLOCK} transactions per block…`);
  const loadStarted = performance.now();
  const summary = await load.run(ROUNDS, (round) => {
    if (round % 10 === 0) log(`  ${round}/${ROUNDS} rounds`);
  });
  const loadMs = performance.now() - loadStarted;
  const backfillHead = await chain.headNumber();
  const chainEvents = await countLogs(rpc, indexed, 0n, backfillHead);
  log(
    `Load: ${summary.transactions} transactions in ${summary.blocks} blocks (${seconds(loadMs)} s), ` +
      `${summary.orders} orders, ${summary.proposals} proposals, ${summary.votes} votes; ` +
      `${chainEvents} events of the indexed contracts up to block ${backfillHead}`,
  );
  if (chainEvents < MIN_EVENTS) {
    throw new Error(`the load made ${chainEvents} events, fewer than ${MIN_EVENTS}: raise BENCH_ROUNDS`);
  }

  // The AgriDAO indexer, as `npm run indexer` runs it, on a database of its own, with its defaults (12
  // confirmations, ranges of up to 2,000 blocks) except the poll interval: a local node mines the moment it is asked
  // to and answers polls for free, so the 250 ms meant for remote providers would only add latency here.
  const ours = await createTestDatabase("agridao_bench");
  databases.push(ours);
  const deploymentFile = path.join(resultsDir, `${deploymentId}.json`);
  await writeFile(
    deploymentFile,
    JSON.stringify({
      chainId: CHAIN_ID,
      startBlock: 0,
      addresses: {
        MarketplaceEscrow: contracts.escrow,
        AgriToken: contracts.token,
        AgriGovernor: contracts.governor,
        AgriTimelock: contracts.timelock,
      },
    }),
  );
  const indexerPort = await freePort();
  const indexerLog = path.join(resultsDir, "indexer-process.log");
  await rm(indexerLog, { force: true });
  log("Backfilling with the AgriDAO indexer…");
  const startedAt = performance.now();
  const indexer = startLoggedProcess({
    command: process.execPath,
    args: [path.join("node_modules", "tsx", "dist", "cli.mjs"), path.join("indexer", "src", "main.ts")],
    env: {
      INDEXER_RPC_URL: rpcUrl,
      INDEXER_CHAIN_ID: String(CHAIN_ID),
      DATABASE_URL: `${SERVER}/${ours.name}`,
      INDEXER_START_BLOCK: "0",
      INDEXER_HTTP_PORT: String(indexerPort),
      INDEXER_DEPLOYMENT_FILE: deploymentFile,
      // Announcements over PostgreSQL NOTIFY, which the head-following measurement listens to.
      REDIS_URL: undefined,
    },
    logFile: indexerLog,
  });
  const indexerDone = new AbortController();
  const indexerExited = indexer.exited.then((code) => {
    throw new Error(`the indexer exited (${code}); see ${indexerLog}`);
  });
  let backfill: { healthyAt: number; caughtUpAt: number; readyAt: number; events: number };
  let head: Awaited<ReturnType<typeof measureHeadLatency>>;
  let readyAt: Promise<number> | undefined;
  try {
    const base = `http://127.0.0.1:${indexerPort}`;
    const healthyAt = await Promise.race([
      indexerExited,
      waitFor(
        "the indexer's /health",
        async () => ((await fetch(`${base}/health`)).ok ? performance.now() : undefined),
        { timeoutMs: 60_000, signal: indexerDone.signal },
      ),
    ]);
    readyAt = waitFor(
      "the indexer's /ready",
      async () => ((await fetch(`${base}/ready`)).ok ? performance.now() : undefined),
      { timeoutMs: 600_000, signal: indexerDone.signal },
    );
    const caughtUpAt = await Promise.race([
      indexerExited,
      waitFor(
        `the indexer's checkpoint to reach block ${backfillHead}`,
        async () => {
          const { rows } = await ours.pool.query<{ block_number: string }>(
            "SELECT block_number FROM indexer.checkpoints WHERE chain_id = $1",
            [CHAIN_ID],
          );
          return rows.length > 0 && BigInt(rows[0].block_number) >= backfillHead ? performance.now() : undefined;
        },
        { timeoutMs: 600_000, signal: indexerDone.signal },
      ),
    ]);
    const { rows } = await ours.pool.query<{ count: string }>("SELECT count(*) FROM indexer.events");
    backfill = {
      healthyAt,
      caughtUpAt,
      readyAt: await Promise.race([indexerExited, readyAt]),
      events: Number(rows[0].count),
    };
    if (backfill.events !== chainEvents) {
      throw new Error(`the indexer stored ${backfill.events} events, the chain holds ${chainEvents}`);
    }

    log(`Following the head: ${HEAD_BLOCKS} blocks at ${HEAD_RATE} blocks/s…`);
    const listener = new pg.Client({ connectionString: `${SERVER}/${ours.name}` });
    await listener.connect();
    try {
      head = await Promise.race([
        indexerExited,
        measureHeadLatency({
          chain,
          listener,
          channel: notifyChannel(CHAIN_ID),
          blocks: HEAD_BLOCKS,
          blocksPerSecond: HEAD_RATE,
          nextBlock: () => load.headBlock(),
        }),
      ]);
    } finally {
      await listener.end();
    }
  } finally {
    indexerDone.abort();
    readyAt?.catch(() => undefined);
    indexerExited.catch(() => undefined);
    await indexer.stop();
    await rm(deploymentFile, { force: true });
  }

  const backfillMs = backfill.caughtUpAt - backfill.healthyAt;
  const results: Record<string, number | string> = {
    events: backfill.events,
    blocks: Number(backfillHead) + 1,
    transactions: summary.transactions,
    backfillSeconds: seconds(backfillMs),
    backfillEventsPerSec: Math.round(backfill.events / (backfillMs / 1_000)),
    startupSeconds: seconds(backfill.healthyAt - startedAt),
    timeToReadySeconds: seconds(backfill.readyAt - startedAt),
    headBlocks: head.blocks,
    headBlocksPerSec: Math.round(head.blocksPerSecond * 100) / 100,
    headLatencyP50Ms: Math.round(percentile(head.latenciesMs, 50)),
    headLatencyP95Ms: Math.round(percentile(head.latenciesMs, 95)),
    headLatencyMaxMs: Math.round(Math.max(...head.latenciesMs)),
  };

  if (SKIP_PONDER) {
    log("Ponder left out (BENCH_SKIP_PONDER=1)");
  } else {
    await installPonder(log);
    const ponderDb = await createTestDatabase("agridao_bench_ponder");
    databases.push(ponderDb);
    const ponderHead = await chain.headNumber();
    const ponderEvents = await countLogs(rpc, indexed, 0n, ponderHead);
    log(`Backfilling the same chain with Ponder (${ponderEvents} events up to block ${ponderHead})…`);
    const ponderLog = path.join(resultsDir, "ponder-process.log");
    await rm(ponderLog, { force: true });
    try {
      const ponder = await measurePonderBackfill({
        rpcUrl,
        databaseUrl: `${SERVER}/${ponderDb.name}`,
        port: await freePort(),
        addresses: contracts,
        startBlock: 0n,
        targetBlock: ponderHead,
        logFile: ponderLog,
        timeoutMs: 900_000,
      });
      const ponderMs = ponder.caughtUpAt - ponder.healthyAt;
      results.ponderEvents = ponderEvents;
      results.ponderBackfillSeconds = seconds(ponderMs);
      results.ponderBackfillEventsPerSec = Math.round(ponderEvents / (ponderMs / 1_000));
      results.ponderStartupSeconds = seconds(ponder.healthyAt - ponder.startedAt);
      results.backfillRatioVsPonder =
        Math.round((Number(results.backfillEventsPerSec) / Number(results.ponderBackfillEventsPerSec)) * 100) / 100;
      results.readModelsMatch = String(await sameReadModelCounts(ours.pool, ponderDb.pool));
    } catch (error) {
      // The AgriDAO figures stand on their own; a Ponder that cannot run here is reported, not faked.
      results.ponderError = (error as Error).message;
      log(`Ponder could not be measured: ${results.ponderError}`);
    }
  }

  console.table(Object.entries(results).map(([figure, value]) => ({ figure, value })));
  const outFile = path.join(resultsDir, "indexer.json");
  await writeFile(outFile, `${JSON.stringify(results, null, 2)}\n`);
  log(`Wrote ${path.relative(process.cwd(), outFile)}`);
} finally {
  for (const database of databases) await database.drop();
  await connection.close();
  await server.close();
  await rm(path.join(hre.config.paths.ignition, "deployments", deploymentId), { recursive: true, force: true });
}

/** How many logs the contracts emitted in a block range, read in slices the node answers quickly. */
async function countLogs(rpc: JsonRpc, addresses: readonly Address[], from: bigint, to: bigint): Promise<number> {
  let count = 0;
  for (let start = from; start <= to; start += 500n) {
    const end = start + 499n < to ? start + 499n : to;
    const logs = await rpc.call<{ data: Hex }[]>("eth_getLogs", [
      { address: addresses, fromBlock: toHex(start), toBlock: toHex(end) },
    ]);
    count += logs.length;
  }
  return count;
}

/** Whether both indexers hold as many orders, history rows, proposals, votes, delegates and balances. */
async function sameReadModelCounts(ours: pg.Pool, ponder: pg.Pool): Promise<boolean> {
  const tables = [
    "escrow_orders",
    "escrow_order_history",
    "escrow_credits",
    "proposals",
    "votes",
    "delegates",
    "token_balances",
  ];
  let same = true;
  for (const table of tables) {
    const count = async (db: pg.Pool, schema: string) =>
      Number((await db.query<{ count: string }>(`SELECT count(*) FROM ${schema}.${table}`)).rows[0].count);
    const [a, b] = [await count(ours, "indexer"), await count(ponder, "bench")];
    if (a !== b) {
      log(`  ${table}: ${a} rows in the AgriDAO index, ${b} in Ponder's`);
      same = false;
    }
  }
  return same;
}
