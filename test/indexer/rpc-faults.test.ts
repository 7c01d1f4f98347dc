import { expect } from "chai";
import type { Pool } from "pg";
import type { Hex } from "viem";

import type { ChainContext } from "../../indexer/src/chain-context.js";
import type { IndexedAddresses } from "../../indexer/src/decode-log.js";
import { createIndexerMetrics } from "../../indexer/src/metrics.js";
import type { IndexerMetrics } from "../../indexer/src/metrics.js";
import { READ_MODEL_TABLES } from "../../indexer/src/rebuild.js";
import { createIndexerRpc, createRpcClient } from "../../indexer/src/rpc.js";
import { runIndexer } from "../../indexer/src/run.js";
import type { SyncDeps, SyncStep } from "../../indexer/src/sync.js";
import type { TestDatabase } from "../support/database.js";
import { openOrder } from "../support/escrow-actions.js";
import { dumpIndex, indexFromScratch } from "../support/index-golden.js";
import type { IndexDump } from "../support/index-golden.js";
import { runIndexerScenario } from "../support/indexer-scenario.js";
import { createIndexerDatabase, indexerTargets } from "../support/indexer-setup.js";
import { deployLocal } from "../support/local-deployment.js";
import { startLocalNode } from "../support/local-node.js";
import { startRpcFaultProxy } from "../support/rpc-fault-proxy.js";
import type { FaultSchedule, ProxiedCall, RpcCall, RpcFault } from "../support/rpc-fault-proxy.js";
import { seededRandom } from "../support/seeded-random.js";

type Deployment = Awaited<ReturnType<typeof deployLocal>>;
type LocalNode = Awaited<ReturnType<typeof startLocalNode>>;
type Proxy = Awaited<ReturnType<typeof startRpcFaultProxy>>;
type RpcLog = { blockNumber: Hex; blockHash: Hex; logIndex: Hex };

const ETHER = 10n ** 18n;
/** Tries per RPC call; a burst of faults longer than this makes a call fail for good. */
const ATTEMPTS = 4;
/**
 * Calls an outage lasts: enough that every call of a step fails for good even when the sync has many in flight at
 * once (it fetches up to 16 block headers together, and a shorter outage spreads over them, each then retried).
 */
const OUTAGE_CALLS = (ATTEMPTS + 1) * 16;
/** The client's request timeout: what ends a hung request. */
const TIMEOUT_MS = 200;
const CONFIRMATIONS = 3;

const RATE_LIMITS: RpcFault[] = [
  { type: "rate-limited", retryAfterSeconds: 1, code: -32005 },
  { type: "rate-limited", retryAfterSeconds: 2, code: 429 },
];
const SERVER_ERRORS: RpcFault[] = [500, 502, 503].map((status) => ({ type: "server-error", status }) as RpcFault);

/** One committed step, and how many proxied requests had been answered when it committed. */
interface Commit {
  step: SyncStep;
  answered: number;
}

interface IndexerRun {
  deps: SyncDeps;
  metrics: IndexerMetrics;
  proxy: Proxy;
  commits: Commit[];
  /** Calls that failed through every retry, which the run loop survived. */
  unavailable: number;
}

/**
 * Faults in short seeded bursts that the retries absorb, starting at a rate of `rate` per request, plus one burst at
 * request `outageAt` that outlasts the retries, so one call fails for good and the run loop has to carry on.
 */
function faultBursts(options: {
  seed: number;
  rate: number;
  outageAt: number;
  fault: (call: RpcCall, random: () => number) => RpcFault | undefined;
}): FaultSchedule {
  const random = seededRandom(options.seed);
  let remaining = 0;
  return (call) => {
    if (call.seq === options.outageAt) remaining = OUTAGE_CALLS;
    else if (remaining === 0 && random() < options.rate) remaining = 1 + Math.floor(random() * (ATTEMPTS - 1));
    if (remaining === 0) return undefined;
    remaining -= 1;
    return options.fault(call, random);
  };
}

function pick<T>(choices: readonly T[], random: () => number): T {
  return choices[Math.floor(random() * choices.length)];
}

/** The highest head the node itself reported in `history`, whatever the proxy answered instead. */
function highestHead(history: readonly ProxiedCall[]): bigint {
  let highest = 0n;
  for (const { method, result } of history) {
    if (method === "eth_blockNumber" && typeof result === "string" && BigInt(result) > highest)
      highest = BigInt(result);
  }
  return highest;
}

/** The block span of an `eth_getLogs` over a range, or undefined for a query by block hash or another method. */
function logRange(call: RpcCall): { from: bigint; to: bigint } | undefined {
  if (call.method !== "eth_getLogs") return undefined;
  const filter = call.params[0] as { fromBlock?: Hex; toBlock?: Hex };
  if (filter.fromBlock === undefined || filter.toBlock === undefined) return undefined;
  return { from: BigInt(filter.fromBlock), to: BigInt(filter.toBlock) };
}

describe("indexer behind a faulty RPC endpoint", function () {
  let node: LocalNode;
  let deployment: Deployment;
  let addresses: IndexedAddresses;
  let context: ChainContext;
  const databases: TestDatabase[] = [];
  const proxies: Proxy[] = [];
  let goldenDb: Pool | undefined;
  /** Block numbers by hash of the canonical chain, which only grows in this file. */
  const numbers = new Map<string, bigint>();

  before(async function () {
    node = await startLocalNode();
    deployment = await deployLocal(node.connection, { deploymentId: node.deploymentId });
    await runIndexerScenario(node.connection, deployment);
    ({ addresses, context } = await indexerTargets(deployment));
  });

  after(async function () {
    for (const proxy of proxies) await proxy.close();
    for (const database of databases) await database.drop();
    await node?.stop();
  });

  async function freshDatabase(): Promise<Pool> {
    const database = await createIndexerDatabase();
    databases.push(database);
    return database.pool;
  }

  async function chainRequest<T>(method: string, params: unknown[] = []): Promise<T> {
    return (await node.connection.provider.request({ method, params })) as T;
  }

  async function blockAt(tag: bigint | "latest"): Promise<{ number: bigint; hash: Hex }> {
    const param = tag === "latest" ? tag : `0x${tag.toString(16)}`;
    const block = await chainRequest<{ number: Hex; hash: Hex }>("eth_getBlockByNumber", [param, false]);
    return { number: BigInt(block.number), hash: block.hash };
  }

  /** The golden state of the node's chain, straight from the node rather than through the proxy. */
  async function golden(): Promise<IndexDump> {
    goldenDb ??= await freshDatabase();
    await goldenDb.query(`TRUNCATE ${[...READ_MODEL_TABLES, "events"].map((table) => `indexer.${table}`).join(", ")}`);
    return indexFromScratch({ connection: node.connection, db: goldenDb, addresses, context });
  }

  /** An indexer wired as `npm run indexer` wires it (metrics around the RPC), reading the node through a proxy. */
  async function indexerBehind(schedule: FaultSchedule): Promise<IndexerRun> {
    const proxy = await startRpcFaultProxy({ upstream: node.url, schedule });
    proxies.push(proxy);
    const metrics = createIndexerMetrics();
    const rpc = createIndexerRpc({
      client: createRpcClient(proxy.url, TIMEOUT_MS),
      retry: { attempts: ATTEMPTS, baseDelayMs: 1, maxDelayMs: 8 },
      random: seededRandom(99),
    });
    const deps: SyncDeps = {
      db: await freshDatabase(),
      rpc: metrics.instrumentRpc(rpc),
      addresses,
      context,
      startBlock: 0n,
      confirmations: CONFIRMATIONS,
      rangePolicy: { min: 1, max: 16, fastMs: 1_000, maxLogs: 5_000 },
      state: { rangeSize: 16 },
    };
    return { deps, metrics, proxy, commits: [], unavailable: 0 };
  }

  /** Runs the indexer loop until it is idle with its checkpoint on the node's current head. */
  async function catchUp(run: IndexerRun): Promise<void> {
    const head = await blockAt("latest");
    const controller = new AbortController();
    await runIndexer(run.deps, {
      pollIntervalMs: 1,
      signal: controller.signal,
      onStep: async (step, { durationMs }) => {
        run.metrics.observeStep(step, durationMs);
        run.commits.push({ step, answered: run.proxy.calls.length });
        if (run.commits.length > 3_000) throw new Error("the indexer never caught up with the head");
        if (step.type !== "idle") return;
        const { rows } = await run.deps.db.query<{ block_hash: Hex }>("SELECT block_hash FROM indexer.checkpoints");
        if (rows[0]?.block_hash === head.hash) controller.abort();
      },
      onUnavailable: () => (run.unavailable += 1),
    });
  }

  /** New activity on the chain: more blocks than the confirmation window, so both fetch paths run again. */
  async function mineMore(): Promise<void> {
    const { escrow, token, accounts } = deployment;
    const orderId = await openOrder(escrow, accounts.buyers[2], accounts.farmers[0], ETHER / 10n);
    await escrow.connect(accounts.farmers[0]).markShipped(orderId);
    for (let i = 1n; i <= 3n; i++) await token.connect(accounts.voters[1]).transfer(accounts.others[3].address, i);
  }

  /** Block numbers by hash, for the blocks of the canonical chain. */
  async function canonicalNumbers(): Promise<Map<string, bigint>> {
    const { number: head } = await blockAt("latest");
    for (let n = BigInt(numbers.size); n <= head; n++) numbers.set((await blockAt(n)).hash.toLowerCase(), n);
    return numbers;
  }

  /** Blocks whose logs reached the indexer complete and unchanged in the first `answered` proxied calls. */
  function fullyFetched(calls: readonly ProxiedCall[], numbers: Map<string, bigint>): Set<bigint> {
    const fetched = new Set<bigint>();
    for (const call of calls) {
      if (call.method !== "eth_getLogs" || call.outcome !== "forwarded") continue;
      const range = logRange(call);
      if (range === undefined) {
        const number = numbers.get((call.params[0] as { blockHash: Hex }).blockHash.toLowerCase());
        if (number !== undefined) fetched.add(number);
      } else {
        for (let n = range.from; n <= range.to; n++) fetched.add(n);
      }
    }
    return fetched;
  }

  /** The run ended idle on the head, in the golden state, having reported no reorg and counted no event twice. */
  async function expectGoldenOnHead(run: IndexerRun): Promise<void> {
    expect(run.proxy.failures).to.deep.equal([]);
    const expected = await golden();
    expect(await dumpIndex(run.deps.db)).to.deep.equal(expected);

    const head = await blockAt("latest");
    const { rows } = await run.deps.db.query("SELECT block_number, block_hash FROM indexer.checkpoints");
    expect(rows).to.deep.equal([{ block_number: head.number.toString(), block_hash: head.hash }]);

    const steps = run.commits.map(({ step }) => step);
    expect(steps.filter((step) => step.type === "reorg")).to.deep.equal([]);
    const counted = steps.reduce((sum, step) => sum + (step.type === "block" ? step.eventCount : 0), 0);
    expect(counted).to.equal(expected.events.length);
  }

  /** Every block a committed step covered had its logs in a complete, unaltered eth_getLogs answer before the commit. */
  async function expectFetchedBeforeCommitted(run: IndexerRun): Promise<void> {
    const numbers = await canonicalNumbers();
    const unfetched: string[] = [];
    for (const { step, answered } of run.commits) {
      if (step.type !== "block") continue;
      const fetched = fullyFetched(run.proxy.calls.slice(0, answered), numbers);
      for (let n = step.from; n <= step.to; n++) {
        if (!fetched.has(n)) unfetched.push(`${n} (step ${step.from}-${step.to})`);
      }
    }
    expect(unfetched, "blocks checkpointed without a complete eth_getLogs answer").to.deep.equal([]);
  }

  async function rpcErrors(metrics: IndexerMetrics): Promise<Record<string, number>> {
    const metric = metrics.registry.getSingleMetric("indexer_rpc_errors_total");
    const values = metric === undefined ? [] : (await metric.get()).values;
    return Object.fromEntries(values.map(({ labels, value }) => [String(labels.kind), value]));
  }

  function outcomes(proxy: Proxy): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const call of proxy.calls) counts[call.outcome] = (counts[call.outcome] ?? 0) + 1;
    return counts;
  }

  /** Backfills, then follows the head through new blocks, all behind `schedule`; ends in the golden state. */
  async function indexThrough(schedule: FaultSchedule): Promise<IndexerRun> {
    const run = await indexerBehind(schedule);
    await catchUp(run);
    await mineMore();
    await catchUp(run);
    await expectGoldenOnHead(run);
    return run;
  }

  /** As `indexThrough`, and no block was checkpointed before its logs had fully arrived. */
  async function indexThroughFaults(schedule: FaultSchedule): Promise<IndexerRun> {
    const run = await indexThrough(schedule);
    await expectFetchedBeforeCommitted(run);
    return run;
  }

  describe("transport faults", function () {
    it("indexes through HTTP 429 answers with Retry-After, and survives a rate limit that outlasts its retries", async function () {
      const run = await indexThroughFaults(
        faultBursts({ seed: 1, rate: 0.15, outageAt: 25, fault: (_, random) => pick(RATE_LIMITS, random) }),
      );
      expect(outcomes(run.proxy)["rate-limited"]).to.be.greaterThan(ATTEMPTS);
      expect(run.unavailable).to.be.greaterThan(0);
      // Headers are fetched several at a time: one step can see one failure while several calls exhausted their retries.
      expect((await rpcErrors(run.metrics)).retryable).to.be.at.least(run.unavailable);
    });

    it("indexes through HTTP 500, 502 and 503 answers", async function () {
      const run = await indexThroughFaults(
        faultBursts({ seed: 2, rate: 0.15, outageAt: 40, fault: (_, random) => pick(SERVER_ERRORS, random) }),
      );
      expect(outcomes(run.proxy)["server-error"]).to.be.greaterThan(ATTEMPTS);
      expect(run.unavailable).to.be.greaterThan(0);
      expect((await rpcErrors(run.metrics)).retryable).to.be.at.least(run.unavailable);
    });

    it("indexes through requests that hang past the client's timeout", async function () {
      const run = await indexThroughFaults(
        faultBursts({ seed: 3, rate: 0.03, outageAt: 30, fault: () => ({ type: "hang" }) }),
      );
      expect(outcomes(run.proxy).hang).to.be.greaterThan(ATTEMPTS);
      expect(run.unavailable).to.be.greaterThan(0);
      expect((await rpcErrors(run.metrics)).retryable).to.be.at.least(run.unavailable);
    });

    it("indexes through connections closed in the middle of a response", async function () {
      const run = await indexThroughFaults(
        faultBursts({ seed: 4, rate: 0.15, outageAt: 35, fault: () => ({ type: "drop" }) }),
      );
      expect(outcomes(run.proxy).drop).to.be.greaterThan(ATTEMPTS);
      expect((await rpcErrors(run.metrics)).retryable).to.be.at.least(run.unavailable);
    });

    it("indexes through responses whose JSON body is cut short", async function () {
      const run = await indexThroughFaults(
        faultBursts({ seed: 5, rate: 0.15, outageAt: 45, fault: () => ({ type: "truncate" }) }),
      );
      expect(outcomes(run.proxy).truncate).to.be.greaterThan(ATTEMPTS);
      expect((await rpcErrors(run.metrics)).retryable).to.be.at.least(run.unavailable);
    });

    it("narrows its log ranges to what a node that refuses more than 4 blocks accepts", async function () {
      const refused: bigint[] = [];
      const run = await indexThroughFaults((call) => {
        const range = logRange(call);
        if (range === undefined || range.to - range.from + 1n <= 4n) return undefined;
        refused.push(range.to - range.from + 1n);
        return { type: "range-too-large", message: "block range is too wide (max 4 blocks)" };
      });
      expect(refused.length).to.be.greaterThan(1);
      const accepted = run.proxy.calls.flatMap((call) => {
        const range = call.outcome === "forwarded" ? logRange(call) : undefined;
        return range === undefined ? [] : [range.to - range.from + 1n];
      });
      expect(accepted.every((size) => size <= 4n)).to.equal(true);
      expect((await rpcErrors(run.metrics))["range-too-large"]).to.equal(refused.length);
    });

    it("indexes through a seeded mix of every fault", async function () {
      const transient: RpcFault[] = [
        ...RATE_LIMITS,
        ...SERVER_ERRORS,
        { type: "hang" },
        { type: "drop" },
        { type: "drop" },
        { type: "truncate" },
        { type: "truncate" },
      ];
      // The first faults go through every transient kind once, so each is met whatever the seed; then at random.
      const firsts: RpcFault[] = [
        { type: "hang" },
        { type: "drop" },
        { type: "truncate" },
        ...RATE_LIMITS,
        ...SERVER_ERRORS,
      ];
      const bursts = faultBursts({
        seed: 6,
        rate: 0.2,
        outageAt: 50,
        fault: (call, random) => {
          const range = logRange(call);
          // A refused single block would rightly stop the indexer: no narrower query exists.
          if (range !== undefined && range.to > range.from && random() < 0.3) return { type: "range-too-large" };
          return firsts.shift() ?? pick(transient, random);
        },
      });
      const run = await indexThroughFaults((call, history) => {
        const range = logRange(call);
        // The provider's own limit, on top of the random faults.
        if (range !== undefined && range.to - range.from >= 8n) return { type: "range-too-large" };
        return bursts(call, history);
      });
      const seen = outcomes(run.proxy);
      for (const kind of ["rate-limited", "server-error", "hang", "drop", "truncate", "range-too-large"]) {
        expect(seen[kind], kind).to.be.greaterThan(0);
      }
      const errors = await rpcErrors(run.metrics);
      expect(errors.retryable).to.be.at.least(run.unavailable);
      expect(errors["range-too-large"]).to.equal(seen["range-too-large"]);
    });
  });

  describe("wrong answers", function () {
    const logsOf = (result: unknown) => result as RpcLog[];

    it("stores and counts once a log the node repeats within one answer", async function () {
      let repeated = 0;
      await indexThrough((call) => {
        if (call.method !== "eth_getLogs") return undefined;
        return {
          type: "rewrite",
          rewrite: (result) => {
            const logs = logsOf(result);
            if (logs.length > 0) repeated += 1;
            // The whole answer twice over, or each log twice in a row.
            return call.seq % 2 === 0 ? [...logs, ...logs] : logs.flatMap((log) => [log, log]);
          },
        };
      });
      expect(repeated).to.be.greaterThan(5);
    });

    it("misses no log when an earlier range's logs are replayed instead of, or along with, the logs asked for", async function () {
      const random = seededRandom(7);
      let replayed = 0;
      await indexThrough((call, history) => {
        if (call.method !== "eth_getLogs" || random() >= 0.4) return undefined;
        const asked = call.params[0] as { fromBlock?: Hex; blockHash?: Hex };
        const stale = history.filter(({ method, outcome, result }) => {
          if (method !== "eth_getLogs" || outcome !== "forwarded" || logsOf(result).length === 0) return false;
          return logsOf(result).every((log) =>
            asked.blockHash === undefined
              ? BigInt(log.blockNumber) < BigInt(asked.fromBlock ?? "0x0")
              : log.blockHash !== asked.blockHash,
          );
        });
        if (stale.length === 0) return undefined;
        const earlier = logsOf(pick(stale, random).result);
        const instead = random() < 0.5;
        replayed += 1;
        return { type: "rewrite", rewrite: (result) => (instead ? earlier : [...earlier, ...logsOf(result)]) };
      });
      expect(replayed).to.be.greaterThan(5);
    });

    it("waits for a block announced as the head before the node serves it, and for blocks served out of order", async function () {
      const random = seededRandom(8);
      const counts = { ahead: 0, missing: 0 };
      await indexThrough((call, history) => {
        if (call.method === "eth_blockNumber" && random() < 0.3) {
          counts.ahead += 1;
          return { type: "rewrite", rewrite: (result) => `0x${(BigInt(result as Hex) + 1n).toString(16)}` };
        }
        // Near the head, a node behind a load balancer may serve block N+1 while it does not serve block N yet.
        if (call.method === "eth_getBlockByNumber" && BigInt(call.params[0] as Hex) + 1n >= highestHead(history)) {
          if (random() >= 0.5) return undefined;
          counts.missing += 1;
          return { type: "rewrite", rewrite: () => null };
        }
        return undefined;
      });
      expect(counts.ahead).to.be.greaterThan(2);
      expect(counts.missing).to.be.greaterThan(2);
    });

    it("takes a head lower than one it already saw for a lagging node, not for a reorg", async function () {
      const random = seededRandom(9);
      let lagging = 0;
      await indexThrough((call, history) => {
        if (random() >= 0.5) return undefined;
        // A node one block behind the others: it reports the head before last and does not know the head block.
        if (call.method === "eth_blockNumber") {
          lagging += 1;
          return { type: "rewrite", rewrite: (result) => `0x${(BigInt(result as Hex) - 1n).toString(16)}` };
        }
        if (call.method === "eth_getBlockByNumber" && BigInt(call.params[0] as Hex) >= highestHead(history)) {
          return { type: "rewrite", rewrite: () => null };
        }
        return undefined;
      });
      expect(lagging).to.be.greaterThan(2);
    });
  });
});
