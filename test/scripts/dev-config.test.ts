import { expect } from "chai";

import { loadDevConfig } from "../../scripts/dev-config.js";

describe("dev-config (npm run dev's environment)", () => {
  it("defaults to the usual local chain address", () => {
    expect(loadDevConfig({})).to.deep.equal({ chainHost: "127.0.0.1", chainPort: 8545 });
  });

  it("takes the host and port from AGRIDAO_CHAIN_HOST and AGRIDAO_CHAIN_PORT", () => {
    expect(loadDevConfig({ AGRIDAO_CHAIN_HOST: "0.0.0.0", AGRIDAO_CHAIN_PORT: "9545" })).to.deep.equal({
      chainHost: "0.0.0.0",
      chainPort: 9545,
    });
  });

  it("stops with a message naming the variable when the port is not a port", () => {
    for (const port of ["eighty", "0", "70000", "85.45"]) {
      expect(() => loadDevConfig({ AGRIDAO_CHAIN_PORT: port })).to.throw(/AGRIDAO_CHAIN_PORT/);
    }
  });
});
