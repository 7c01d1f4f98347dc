import path from "node:path";

import { expect } from "chai";

import { loadDevConfig } from "../../scripts/dev-config.js";

describe("dev-config (npm run dev's environment)", () => {
  it("defaults to the usual local chain address, an embedded PostgreSQL under .agridao and no Redis", () => {
    expect(loadDevConfig({})).to.deep.equal({
      host: "127.0.0.1",
      chainHost: "127.0.0.1",
      chainPort: 8545,
      databaseUrl: undefined,
      postgresPort: 54320,
      dataDir: path.resolve(".agridao"),
      redisUrl: undefined,
      indexerHttpPort: 42069,
      apiPort: 4000,
      webPort: 5173,
    });
  });

  it("takes every address from its variable", () => {
    expect(
      loadDevConfig({
        AGRIDAO_HOST: "0.0.0.0",
        AGRIDAO_CHAIN_HOST: "10.0.0.2",
        AGRIDAO_CHAIN_PORT: "9545",
        DATABASE_URL: "postgres://me@db.internal:5432/agridao",
        AGRIDAO_POSTGRES_PORT: "6543",
        AGRIDAO_DATA_DIR: "/tmp/agridao-data",
        REDIS_URL: "redis://127.0.0.1:6379/2",
        INDEXER_HTTP_PORT: "42070",
        API_PORT: "4100",
        WEB_PORT: "5200",
      }),
    ).to.deep.equal({
      host: "0.0.0.0",
      chainHost: "10.0.0.2",
      chainPort: 9545,
      databaseUrl: "postgres://me@db.internal:5432/agridao",
      postgresPort: 6543,
      dataDir: "/tmp/agridao-data",
      redisUrl: "redis://127.0.0.1:6379/2",
      indexerHttpPort: 42070,
      apiPort: 4100,
      webPort: 5200,
    });
  });

  it("lets the chain listen where every other service does unless told otherwise", () => {
    expect(loadDevConfig({ AGRIDAO_HOST: "0.0.0.0" })).to.include({ host: "0.0.0.0", chainHost: "0.0.0.0" });
  });

  it("stops with a message naming the variable when a URL has the wrong scheme", () => {
    expect(() => loadDevConfig({ DATABASE_URL: "mysql://localhost/agridao" })).to.throw(/DATABASE_URL/);
    expect(() => loadDevConfig({ REDIS_URL: "http://localhost:6379" })).to.throw(/REDIS_URL/);
  });

  it("stops with a message naming the variable when the port is not a port", () => {
    for (const port of ["eighty", "0", "70000", "85.45"]) {
      expect(() => loadDevConfig({ AGRIDAO_CHAIN_PORT: port })).to.throw(/AGRIDAO_CHAIN_PORT/);
      expect(() => loadDevConfig({ AGRIDAO_POSTGRES_PORT: port })).to.throw(/AGRIDAO_POSTGRES_PORT/);
      expect(() => loadDevConfig({ INDEXER_HTTP_PORT: port })).to.throw(/INDEXER_HTTP_PORT/);
      expect(() => loadDevConfig({ API_PORT: port })).to.throw(/API_PORT/);
      expect(() => loadDevConfig({ WEB_PORT: port })).to.throw(/WEB_PORT/);
    }
  });
});
