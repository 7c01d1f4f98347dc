import { expect } from "chai";

import { ReorgTooDeepError } from "../../indexer/src/errors.js";
import { createIndexerHealth, startIndexerHttpServer } from "../../indexer/src/http-server.js";
import type { IndexerHttpServer } from "../../indexer/src/http-server.js";
import { createIndexerMetrics } from "../../indexer/src/metrics.js";
import type { IndexerMetrics } from "../../indexer/src/metrics.js";
import { createIndexerRpc, createRpcClient } from "../../indexer/src/rpc.js";
import type { IndexerRpc } from "../../indexer/src/rpc.js";
import { startLocalNode } from "../support/local-node.js";

type LocalNode = Awaited<ReturnType<typeof startLocalNode>>;

const NO_CHANGES = { orderIds: [], proposalIds: [], accounts: [] };

describe("indexer HTTP server", function () {
  let node: LocalNode;
  let metrics: IndexerMetrics;
  let rpc: IndexerRpc;
  let server: IndexerHttpServer;
  let health: ReturnType<typeof createIndexerHealth>;

  before(async function () {
    node = await startLocalNode();
  });

  beforeEach(async function () {
    metrics = createIndexerMetrics();
    rpc = metrics.instrumentRpc(createIndexerRpc({ client: createRpcClient(node.url) }));
    health = createIndexerHealth({ metrics, readyLag: 2 });
    server = await startIndexerHttpServer({ port: 0, host: "127.0.0.1", health, metrics });
  });

  afterEach(async function () {
    await server?.close();
  });

  after(async function () {
    await node?.stop();
  });

  async function get(path: string) {
    const response = await fetch(`${server.url}${path}`);
    const text = await response.text();
    return { status: response.status, text };
  }

  function reasonOf(text: string): string | undefined {
    return (JSON.parse(text) as { reason?: string }).reason;
  }

  async function mineTo(block: bigint) {
    const head = await rpc.getHeadNumber();
    if (block > head) await node.connection.networkHelpers.mine(block - head);
    return rpc.getHeadNumber();
  }

  it("answers /health while the process is up", async function () {
    expect(await get("/health")).to.deep.equal({ status: 200, text: JSON.stringify({ status: "ok" }) });
  });

  it("is not ready until it is within the allowed lag of the head", async function () {
    const head = await mineTo(10n);

    const before = await get("/ready");
    expect(before.status).to.equal(503);
    expect(reasonOf(before.text)).to.equal("nothing indexed yet");

    metrics.observeStep({ type: "block", from: 0n, to: head - 3n, eventCount: 0, changes: NO_CHANGES }, 5);
    const behind = await get("/ready");
    expect(behind.status).to.equal(503);
    expect(reasonOf(behind.text)).to.equal("3 blocks behind the head (at most 2 allowed)");

    metrics.observeStep({ type: "block", from: head - 2n, to: head - 2n, eventCount: 0, changes: NO_CHANGES }, 5);
    expect((await get("/ready")).status).to.equal(200);
  });

  it("stays unready for good once a reorg deeper than the window halts it", async function () {
    const head = await mineTo(5n);
    metrics.setIndexedBlock(head);
    expect((await get("/ready")).status).to.equal(200);

    health.halt(new ReorgTooDeepError(head, 20n, 12));
    health.halt(new Error("a later, lesser problem"));
    metrics.observeStep({ type: "reorg", ancestor: head, method: "undo" }, 5);

    const ready = await get("/ready");
    expect(ready.status).to.equal(503);
    expect(reasonOf(ready.text)).to.match(/^halted: reorg of at least 20 blocks/);
  });

  it("exposes progress, events, reorgs and batch durations at /metrics", async function () {
    const head = await mineTo(8n);
    metrics.observeStep({ type: "block", from: 0n, to: head - 1n, eventCount: 7, changes: NO_CHANGES }, 250);
    metrics.observeStep({ type: "reorg", ancestor: head - 4n, method: "undo" }, 30);

    const { status, text } = await get("/metrics");

    expect(status).to.equal(200);
    expect(text).to.include(`indexer_head_block ${head}`);
    expect(text).to.include(`indexer_indexed_block ${head - 4n}`);
    expect(text).to.include("indexer_lag_blocks 4");
    expect(text).to.include("indexer_events_indexed_total 7");
    expect(text).to.include('indexer_reorgs_total{method="undo"} 1');
    expect(text).to.include("indexer_batch_duration_seconds_count 1");
    expect(text).to.include('indexer_batch_duration_seconds_bucket{le="0.25"} 1');
  });

  it("counts RPC errors by kind", async function () {
    await rpc.getHeader(-1n).catch(() => undefined);

    const { text } = await get("/metrics");

    expect(text).to.match(/indexer_rpc_errors_total\{kind="fatal"\} 1/);
  });

  it("answers unknown paths with 404", async function () {
    expect((await get("/nope")).status).to.equal(404);
  });
});
