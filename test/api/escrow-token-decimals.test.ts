import { expect } from "chai";
import { Wallet } from "ethers";
import { pino } from "pino";

import { ApiConfigError, loadApiConfig } from "../../api/src/config.js";
import { confirmEscrowToken } from "../../api/src/escrow/confirm-escrow-token.js";
import { startApiProcess } from "../support/api-process.js";
import { freePort } from "../support/free-port.js";
import { startLocalNode } from "../support/local-node.js";
import { startRpcFaultProxy } from "../support/rpc-fault-proxy.js";

const QUICK_WAIT = { firstDelayMs: 20, maxDelayMs: 50, maxWaitMs: 400 };

describe("The stablecoin's decimals, read from the chain at start-up", function () {
  this.timeout(120_000);

  let node: Awaited<ReturnType<typeof startLocalNode>>;
  let usdc: string;
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: "debug" },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );

  before(async function () {
    node = await startLocalNode();
    // The local deployment's stablecoin: 6 decimals, as its code says.
    usdc = (await (await node.connection.ethers.deployContract("MockUSDC")).getAddress()).toLowerCase();
  });

  after(async function () {
    await node?.stop();
  });

  /**
   * The API's configuration paying in `token` through `rpcUrl`, with `env` on top; on a public chain's id (Base
   * Sepolia), where nothing excuses a stablecoin the API cannot read.
   */
  function configWith(env: Record<string, string> = {}, rpcUrl = node.url, token = usdc) {
    return loadApiConfig({
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/unused",
      CHAIN_ID: "84532",
      JWT_SECRET: "a-secret-of-at-least-thirty-two-characters",
      CHAIN_RPC_URL: rpcUrl,
      ESCROW_ADDRESS: Wallet.createRandom().address,
      ESCROW_TOKEN_ADDRESS: token,
      ...env,
    });
  }

  async function refusal(promise: Promise<unknown>): Promise<string[]> {
    try {
      await promise;
    } catch (error) {
      expect(error).to.be.instanceOf(ApiConfigError);
      return (error as ApiConfigError).problems;
    }
    throw new Error("expected the start-up to be refused");
  }

  it("takes the chain's decimals when ESCROW_TOKEN_DECIMALS is unset, and accepts a set value that agrees", async function () {
    const unset = configWith();
    expect(unset.escrow.tokenDecimals).to.equal(undefined);
    expect((await confirmEscrowToken(unset, { log })).escrow.tokenDecimals).to.equal(6);
    const agreeing = configWith({ ESCROW_TOKEN_DECIMALS: "6" });
    expect((await confirmEscrowToken(agreeing, { log })).escrow).to.include({ tokenAddress: usdc, tokenDecimals: 6 });
  });

  it("stops the API when ESCROW_TOKEN_DECIMALS disagrees with the chain, naming the variable and both values", async function () {
    let failure: unknown;
    try {
      const api = await startApiProcess({
        DATABASE_URL: "postgres://postgres@127.0.0.1:5432/unused",
        API_PORT: String(await freePort()),
        CHAIN_RPC_URL: node.url,
        ESCROW_ADDRESS: Wallet.createRandom().address,
        ESCROW_TOKEN_ADDRESS: usdc,
        ESCROW_TOKEN_DECIMALS: "18",
      });
      await api.stop();
    } catch (error) {
      failure = error;
    }
    expect(String(failure)).to.contain("it exited with 1");
    expect(String(failure)).to.contain(
      `ESCROW_TOKEN_DECIMALS: is 18, but the stablecoin ${usdc} on chain 31337 has 6 decimals`,
    );
  });

  it("refuses a token address that answers no decimals(), naming ESCROW_TOKEN_ADDRESS", async function () {
    const nowhere = Wallet.createRandom().address.toLowerCase();
    const [problem] = await refusal(confirmEscrowToken(configWith({}, node.url, nowhere), { log }));
    expect(problem).to.match(new RegExp(`^ESCROW_TOKEN_ADDRESS: ${nowhere} answers no decimals\\(\\) on chain 84532`));
  });

  it("retries while CHAIN_RPC_URL does not answer, and stops naming it when it never does", async function () {
    // The first two reads fail as a provider's outage would (HTTP 503), the third reaches the node.
    const proxy = await startRpcFaultProxy({
      upstream: node.url,
      schedule: (call) => (call.seq < 2 ? { type: "server-error", status: 503 } : undefined),
    });
    try {
      lines.length = 0;
      const config = await confirmEscrowToken(configWith({}, proxy.url), { log, wait: QUICK_WAIT });
      expect(config.escrow.tokenDecimals).to.equal(6);
      expect(lines.filter((line) => line.level === 40)).to.have.length(2);
    } finally {
      await proxy.close();
    }

    const [problem] = await refusal(
      confirmEscrowToken(configWith({ ESCROW_TOKEN_DECIMALS: "6" }, "http://127.0.0.1:9"), { log, wait: QUICK_WAIT }),
    );
    expect(problem).to.match(/^CHAIN_RPC_URL: http:\/\/127\.0\.0\.1:9 did not answer for \d+ s \(.+\); the API reads/);
  });

  it("turns escrow payments off on the local chain when its stablecoin cannot be read, rather than stop", async function () {
    // A deployment written by an earlier `npm run dev` names a chain that is gone: the API still starts, without escrow.
    for (const [rpcUrl, token] of [
      ["http://127.0.0.1:9", usdc],
      [node.url, Wallet.createRandom().address.toLowerCase()],
    ]) {
      lines.length = 0;
      const config = await confirmEscrowToken(configWith({ CHAIN_ID: "31337" }, rpcUrl, token), { log });
      expect(config.escrow.tokenAddress).to.equal(undefined);
      expect(
        lines.some((line) => line.level === 40 && String(line.msg).startsWith("escrow payments are off")),
      ).to.equal(true);
    }
  });

  it("reads nothing when no escrow payments are configured", async function () {
    const config = loadApiConfig({
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/unused",
      CHAIN_ID: "1",
      CHAIN_RPC_URL: "http://127.0.0.1:9",
      JWT_SECRET: "a-secret-of-at-least-thirty-two-characters",
    });
    expect(config.escrow.tokenAddress).to.equal(undefined);
    expect(await confirmEscrowToken(config, { log, wait: QUICK_WAIT })).to.equal(config);
  });
});
