import { expect } from "chai";

import { migrate as migrateIndexer } from "../../indexer/src/migrations.js";
import { freePort } from "../support/free-port.js";
import { startLocalNode } from "../support/local-node.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";

interface ReadyBody {
  status?: string;
  checks?: Record<string, { ok: boolean; error?: string; lagBlocks?: number }>;
  error?: { code: string; details: { checks: Record<string, { ok: boolean; error?: string; lagBlocks?: number }> } };
}

describe("API operations endpoints", function () {
  let node: Awaited<ReturnType<typeof startLocalNode>>;
  let api: ApiTestApp;

  const rpc = async (method: string, params: unknown[] = []) => {
    const response = await fetch(node.url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    return ((await response.json()) as { result: string }).result;
  };

  const setCheckpoint = async (blockNumber: number) => {
    await api.database.pool.query(
      `INSERT INTO indexer.checkpoints (chain_id, block_number, block_hash) VALUES (31337, $1, '0x00')
       ON CONFLICT (chain_id) DO UPDATE SET block_number = EXCLUDED.block_number`,
      [blockNumber],
    );
  };

  before(async function () {
    node = await startLocalNode();
    api = await startApiApp({ store: "redis", env: { CHAIN_RPC_URL: node.url, INDEXER_MAX_LAG_BLOCKS: "5" } });
    const client = await api.database.pool.connect();
    try {
      await migrateIndexer(client);
    } finally {
      client.release();
    }
    await rpc("hardhat_mine", ["0x20"]);
  });

  after(async function () {
    await api?.close();
    await node?.stop();
  });

  it("reports liveness on /health", async function () {
    const response = await api.request("/health");
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: "ok" });
  });

  it("is ready when the database, Redis, chain and indexer are all in bounds", async function () {
    const head = Number(BigInt(await rpc("eth_blockNumber")));
    await setCheckpoint(head - 2);
    const response = await api.request("/ready");
    const body = (await response.json()) as ReadyBody;
    expect(response.status, JSON.stringify(body)).to.equal(200);
    expect(body.status).to.equal("ready");
    expect(body.checks).to.deep.include({ database: { ok: true }, store: { ok: true, kind: "redis" } });
    expect(body.checks?.chain).to.include({ ok: true, chainId: 31337, head });
    expect(body.checks?.indexer).to.include({ ok: true, lagBlocks: 2 });
  });

  it("is not ready while the indexer lags more than INDEXER_MAX_LAG_BLOCKS", async function () {
    const head = Number(BigInt(await rpc("eth_blockNumber")));
    await setCheckpoint(head - 10);
    const response = await api.request("/ready");
    expect(response.status).to.equal(503);
    const body = (await response.json()) as ReadyBody;
    expect(body.error?.code).to.equal("service_unavailable");
    expect(body.error?.details.checks.indexer).to.include({ ok: false, lagBlocks: 10 });
    expect(body.error?.details.checks.chain.ok).to.equal(true);
  });

  it("exposes request, cache and rate-limit metrics on /metrics", async function () {
    await api.request("/health");
    const response = await api.request("/metrics");
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.contain("text/plain");
    const text = await response.text();
    expect(text).to.match(/api_http_requests_total\{method="GET",route="\/health",status="200"\} [1-9]/);
    expect(text).to.match(/api_http_request_duration_seconds_bucket\{le="[0-9.]+",method="GET",route="\/ready"/);
    expect(text).to.contain("# TYPE api_cache_lookups_total counter");
    expect(text).to.contain("# TYPE api_rate_limit_rejections_total counter");
    expect(text).to.match(/api_db_pool_connections\{state="free"\} \d+/);
  });
});

describe("API readiness without a chain or an indexer", function () {
  let api: ApiTestApp;

  before(async function () {
    api = await startApiApp({ env: { CHAIN_RPC_URL: `http://127.0.0.1:${await freePort()}` } });
  });

  after(async function () {
    await api?.close();
  });

  it("is not ready, naming the chain RPC and the missing indexer checkpoint", async function () {
    const response = await api.request("/ready");
    expect(response.status).to.equal(503);
    const { error } = (await response.json()) as Required<Pick<ReadyBody, "error">>;
    expect(error.details.checks.database).to.deep.equal({ ok: true });
    expect(error.details.checks.chain.ok).to.equal(false);
    expect(error.details.checks.indexer.ok).to.equal(false);
    expect(error.details.checks.indexer.error).to.match(/indexer/);
    // The public answer names no internal address; the log keeps what the driver said.
    expect(JSON.stringify(error)).not.to.contain("127.0.0.1");
    const logged = api.logs.filter((line) => line.msg === "readiness check failed").map((line) => line.check);
    expect(logged).to.include("chain");
  });
});
