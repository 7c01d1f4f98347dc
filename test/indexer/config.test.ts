import { expect } from "chai";

import { IndexerConfigError, loadIndexerConfig } from "../../indexer/src/config.js";

const base = {
  INDEXER_RPC_URL: "http://127.0.0.1:8545",
  INDEXER_CHAIN_ID: "31337",
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/agridao",
};
const deployments = { 31337: { chainId: 31337, startBlock: 7, addresses: {} } };

describe("indexer configuration", function () {
  it("applies the defaults and takes the start block from the generated deployment", function () {
    expect(loadIndexerConfig(base, deployments)).to.deep.equal({
      rpcUrl: base.INDEXER_RPC_URL,
      chainId: 31337,
      databaseUrl: base.DATABASE_URL,
      startBlock: 7n,
      confirmations: 12,
      pollIntervalMs: 250,
      maxBlockRange: 2_000,
      minBlockRange: 1,
    });
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

  it("requires a start block for a chain without a generated deployment", function () {
    expect(() => loadIndexerConfig({ ...base, INDEXER_CHAIN_ID: "1" }, deployments)).to.throw(/INDEXER_START_BLOCK/);
  });

  it("allows no confirmation window only on the local chain", function () {
    expect(loadIndexerConfig({ ...base, INDEXER_CONFIRMATIONS: "0" }, deployments).confirmations).to.equal(0);
    expect(() =>
      loadIndexerConfig({ ...base, INDEXER_CHAIN_ID: "1", INDEXER_START_BLOCK: "0", INDEXER_CONFIRMATIONS: "0" }),
    ).to.throw(/INDEXER_CONFIRMATIONS/);
  });

  it("rejects a minimum block range above the maximum", function () {
    expect(() =>
      loadIndexerConfig({ ...base, INDEXER_MIN_BLOCK_RANGE: "50", INDEXER_MAX_BLOCK_RANGE: "10" }, deployments),
    ).to.throw(/INDEXER_MIN_BLOCK_RANGE/);
  });
});
