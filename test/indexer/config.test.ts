import { expect } from "chai";

import { IndexerConfigError, loadIndexerConfig } from "../../indexer/src/config.js";

const base = {
  INDEXER_RPC_URL: "http://127.0.0.1:8545",
  INDEXER_CHAIN_ID: "31337",
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/agridao",
};
const addresses = {
  MarketplaceEscrow: "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853",
  AgriToken: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  AgriGovernor: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
  AgriTimelock: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
} as const;
const deployments = { 31337: { chainId: 31337, startBlock: 7, addresses } };

describe("indexer configuration", function () {
  it("applies the defaults and takes the start block from the generated deployment", function () {
    expect(loadIndexerConfig(base, deployments)).to.deep.equal({
      rpcUrl: base.INDEXER_RPC_URL,
      chainId: 31337,
      databaseUrl: base.DATABASE_URL,
      startBlock: 7n,
      confirmations: 12,
      pollIntervalMs: 50,
      rpcTimeoutMs: 10_000,
      maxBlockRange: 2_000,
      minBlockRange: 1,
      httpHost: "127.0.0.1",
      httpPort: 42_069,
      readyLag: 3,
      redisUrl: undefined,
      addresses: {
        MarketplaceEscrow: addresses.MarketplaceEscrow,
        AgriToken: addresses.AgriToken,
        AgriGovernor: addresses.AgriGovernor,
      },
      treasury: addresses.AgriTimelock,
    });
  });

  it("polls every 250 ms by default on a live chain, 50 ms on the local one, or as told", function () {
    const live = { 1: { chainId: 1, startBlock: 7, addresses } };
    expect(loadIndexerConfig({ ...base, INDEXER_CHAIN_ID: "1" }, live).pollIntervalMs).to.equal(250);
    expect(loadIndexerConfig({ ...base, INDEXER_POLL_INTERVAL_MS: "400" }, deployments).pollIntervalMs).to.equal(400);
  });

  it("prefers an explicit start block", function () {
    expect(loadIndexerConfig({ ...base, INDEXER_START_BLOCK: "3" }, deployments).startBlock).to.equal(3n);
  });

  it("names the variable that is missing or malformed", function () {
    expect(() => loadIndexerConfig({ ...base, INDEXER_RPC_URL: undefined }, deployments))
      .to.throw(IndexerConfigError)
      .with.property("message")
      .that.matches(/INDEXER_RPC_URL/);
    expect(() => loadIndexerConfig({ ...base, INDEXER_CONFIRMATIONS: "-1" }, deployments)).to.throw(
      /INDEXER_CONFIRMATIONS/,
    );
  });

  it("refuses a chain the generated file has no deployment for, naming the chain", function () {
    expect(() => loadIndexerConfig({ ...base, INDEXER_CHAIN_ID: "1", INDEXER_START_BLOCK: "0" }, deployments)).to.throw(
      /INDEXER_CHAIN_ID: no deployment .* for chain 1/,
    );
  });

  it("reads the deployment from INDEXER_DEPLOYMENT_FILE when given, and names it when unreadable", function () {
    expect(() =>
      loadIndexerConfig({ ...base, INDEXER_DEPLOYMENT_FILE: "/nonexistent/deployment.json" }, deployments),
    ).to.throw(/INDEXER_DEPLOYMENT_FILE: cannot read \/nonexistent\/deployment.json/);
  });

  it("takes the Redis URL and HTTP settings from the environment", function () {
    const config = loadIndexerConfig(
      { ...base, REDIS_URL: "redis://127.0.0.1:6379", INDEXER_HTTP_PORT: "9100", INDEXER_READY_LAG: "0" },
      deployments,
    );
    expect(config).to.include({ redisUrl: "redis://127.0.0.1:6379", httpPort: 9100, readyLag: 0 });
    expect(() => loadIndexerConfig({ ...base, REDIS_URL: "http://nope" }, deployments)).to.throw(/REDIS_URL/);
  });

  it("allows no confirmation window only on the local chain", function () {
    expect(loadIndexerConfig({ ...base, INDEXER_CONFIRMATIONS: "0" }, deployments).confirmations).to.equal(0);
    expect(() =>
      loadIndexerConfig(
        { ...base, INDEXER_CHAIN_ID: "1", INDEXER_START_BLOCK: "0", INDEXER_CONFIRMATIONS: "0" },
        { 1: { chainId: 1, startBlock: 0, addresses } },
      ),
    ).to.throw(/INDEXER_CONFIRMATIONS/);
  });

  it("takes the RPC request timeout from the environment and refuses a non-positive one", function () {
    expect(loadIndexerConfig({ ...base, INDEXER_RPC_TIMEOUT_MS: "1500" }, deployments).rpcTimeoutMs).to.equal(1_500);
    expect(() => loadIndexerConfig({ ...base, INDEXER_RPC_TIMEOUT_MS: "0" }, deployments)).to.throw(
      /INDEXER_RPC_TIMEOUT_MS/,
    );
  });

  it("rejects a minimum block range above the maximum", function () {
    expect(() =>
      loadIndexerConfig({ ...base, INDEXER_MIN_BLOCK_RANGE: "50", INDEXER_MAX_BLOCK_RANGE: "10" }, deployments),
    ).to.throw(/INDEXER_MIN_BLOCK_RANGE/);
  });
});
