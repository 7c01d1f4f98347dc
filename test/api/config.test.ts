import { expect } from "chai";

import { ApiConfigError, loadApiConfig } from "../../api/src/config.js";
import { deployments } from "../../protocol/generated/contracts.js";

const VALID = {
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/agridao",
  CHAIN_ID: "31337",
  CHAIN_RPC_URL: "http://127.0.0.1:8545",
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadApiConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ApiConfigError);
    return (error as ApiConfigError).problems;
  }
  throw new Error("expected the configuration to be refused");
}

describe("API configuration", function () {
  it("applies local defaults on the local chain", function () {
    const config = loadApiConfig(VALID);
    expect(config).to.include({ host: "127.0.0.1", port: 4000, trustProxy: false, bodyLimit: "100kb" });
    expect(config.jwt.configured).to.equal(false);
    expect(config.jwt.secret).to.have.length(32);
  });

  it("bounds every wait on PostgreSQL, by default and as configured, the silence past the statement timeout", function () {
    expect(loadApiConfig(VALID).databaseTimeouts).to.deep.equal({
      connectMs: 10_000,
      statementMs: 30_000,
      silenceMs: 45_000,
      idleInTransactionMs: 60_000,
      keepAliveMs: 30_000,
    });
    const configured = loadApiConfig({
      ...VALID,
      DATABASE_CONNECT_TIMEOUT_SECONDS: "3",
      DATABASE_STATEMENT_TIMEOUT_SECONDS: "120",
      DATABASE_SILENCE_TIMEOUT_SECONDS: "130",
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS: "20",
      DATABASE_KEEPALIVE_SECONDS: "5",
    });
    expect(configured.databaseTimeouts).to.deep.equal({
      connectMs: 3_000,
      statementMs: 120_000,
      silenceMs: 130_000,
      idleInTransactionMs: 20_000,
      keepAliveMs: 5_000,
    });
    expect(
      problemsOf({ ...VALID, DATABASE_STATEMENT_TIMEOUT_SECONDS: "60", DATABASE_SILENCE_TIMEOUT_SECONDS: "60" }),
    ).to.deep.equal([
      "DATABASE_SILENCE_TIMEOUT_SECONDS: must exceed DATABASE_STATEMENT_TIMEOUT_SECONDS, so that a slow statement is " +
        "cancelled by the server before its connection is dropped as silent",
    ]);
    expect(problemsOf({ ...VALID, DATABASE_CONNECT_TIMEOUT_SECONDS: "0" }).map((p) => p.split(":")[0])).to.deep.equal([
      "DATABASE_CONNECT_TIMEOUT_SECONDS",
    ]);
  });

  it("names every missing or malformed variable", function () {
    const problems = problemsOf({ CHAIN_ID: "0", API_PORT: "99999", TRUST_PROXY: "yes" });
    const variables = problems.map((problem) => problem.split(":")[0]);
    expect(variables).to.include.members(["DATABASE_URL", "CHAIN_ID", "CHAIN_RPC_URL", "API_PORT", "TRUST_PROXY"]);
  });

  it("reads Stripe's settings, naming a malformed key, secret or URL", function () {
    expect(loadApiConfig(VALID).stripe).to.include({ secretKey: undefined, webAppUrl: "http://localhost:5173" });
    const config = loadApiConfig({
      ...VALID,
      STRIPE_SECRET_KEY: "sk_test_abc",
      STRIPE_WEBHOOK_SECRET: "whsec_abc",
      STRIPE_API_URL: "http://127.0.0.1:12111",
      WEB_APP_URL: "https://shop.example/",
      CARD_AUTO_CONFIRM_DAYS: "3",
      CARD_SHIP_WINDOW_DAYS: "2",
      CARD_ARBITRATION_TIMEOUT_DAYS: "5",
    });
    expect(config.stripe).to.deep.include({
      secretKey: "sk_test_abc",
      webhookSecret: "whsec_abc",
      api: { host: "127.0.0.1", port: 12111, protocol: "http" },
      webAppUrl: "https://shop.example",
      fallbackTerms: {
        shipWindowMs: 2 * 86_400_000,
        confirmWindowMs: 3 * 86_400_000,
        arbitrationTimeoutMs: 5 * 86_400_000,
      },
    });
    expect(problemsOf({ ...VALID, CARD_SHIP_WINDOW_DAYS: "0" })[0]).to.match(/^CARD_SHIP_WINDOW_DAYS/);
    const problems = problemsOf({ ...VALID, STRIPE_SECRET_KEY: "pk_test_abc", STRIPE_WEBHOOK_SECRET: "abc" });
    expect(problems.map((problem) => problem.split(":")[0])).to.deep.equal([
      "STRIPE_SECRET_KEY",
      "STRIPE_WEBHOOK_SECRET",
    ]);
    expect(problemsOf({ ...VALID, STRIPE_API_URL: "ftp://x" })[0]).to.match(/^STRIPE_API_URL/);
  });

  it("requires JWT_SECRET off the local chain and in production", function () {
    expect(problemsOf({ ...VALID, CHAIN_ID: "1" })).to.deep.equal([
      "JWT_SECRET: required unless CHAIN_ID is the local chain (31337) outside production",
    ]);
    expect(problemsOf({ ...VALID, NODE_ENV: "production" })[0]).to.match(/^JWT_SECRET: required/);
    expect(problemsOf({ ...VALID, JWT_SECRET: "short" })[0]).to.match(/^JWT_SECRET: expected at least 32/);
  });

  it("refuses a CORS origin that is not an http(s) URL, naming the variable", function () {
    expect(problemsOf({ ...VALID, CORS_ORIGINS: "https://ok.example, javascript:alert(1)" })[0]).to.match(
      /^CORS_ORIGINS/,
    );
  });

  it("merges PUBLIC_WEB_ORIGIN into the CORS allow-list as bare origins", function () {
    const config = loadApiConfig({
      ...VALID,
      CORS_ORIGINS: "https://a.example/, https://b.example",
      PUBLIC_WEB_ORIGIN: "https://shop.example/path",
    });
    expect(config.corsOrigins).to.deep.equal(["https://a.example", "https://b.example", "https://shop.example"]);
  });

  it("reads the event stream settings, defaulting to a 20 s heartbeat, 5 streams per user and 30 s tickets", function () {
    expect(loadApiConfig(VALID).sse).to.deep.equal({ heartbeatMs: 20_000, maxStreamsPerUser: 5, ticketTtlMs: 30_000 });
    const tuned = loadApiConfig({
      ...VALID,
      SSE_HEARTBEAT_SECONDS: "5",
      SSE_MAX_STREAMS_PER_USER: "2",
      SSE_TICKET_TTL_SECONDS: "10",
    });
    expect(tuned.sse).to.deep.equal({ heartbeatMs: 5_000, maxStreamsPerUser: 2, ticketTtlMs: 10_000 });
    const problems = problemsOf({ ...VALID, SSE_HEARTBEAT_SECONDS: "0", SSE_MAX_STREAMS_PER_USER: "many" });
    expect(problems.map((problem) => problem.split(":")[0])).to.deep.equal([
      "SSE_HEARTBEAT_SECONDS",
      "SSE_MAX_STREAMS_PER_USER",
    ]);
  });

  it("takes the rate limits from the environment, defaulting to the brief's 100 sign-in attempts per 15 minutes", function () {
    expect(loadApiConfig(VALID).rateLimits).to.deep.equal({ authPer15Minutes: 100, defaultPerMinute: 600 });
    const tuned = loadApiConfig({
      ...VALID,
      RATE_LIMIT_AUTH_PER_15_MINUTES: "20",
      RATE_LIMIT_DEFAULT_PER_MINUTE: "1200",
    });
    expect(tuned.rateLimits).to.deep.equal({ authPer15Minutes: 20, defaultPerMinute: 1200 });
    expect(problemsOf({ ...VALID, RATE_LIMIT_DEFAULT_PER_MINUTE: "0" })[0]).to.match(/^RATE_LIMIT_DEFAULT_PER_MINUTE/);
  });

  it("reads the checkout reservation, the escrow to pay into (overridable by address) and the dispute window", function () {
    const defaults = loadApiConfig(VALID);
    expect(defaults.checkout).to.deep.equal({
      reservationMs: 30 * 60_000,
      expiryIntervalMs: 30_000,
      maxOpenPerBuyer: 5,
      maxStockSharePercent: 50,
    });
    // Unset, the stablecoin's decimals are read from the chain at start-up (confirmEscrowToken).
    expect(defaults.escrow).to.include({ tokenDecimals: undefined, linkIntervalMs: 15_000 });
    expect(defaults.disputes).to.deep.equal({
      windowMs: 14 * 86_400_000,
      evidenceDir: "evidence",
      evidenceRetentionMs: 180 * 86_400_000,
    });
    const escrow = `0x${"AB".repeat(20)}`;
    const tuned = loadApiConfig({
      ...VALID,
      CHECKOUT_RESERVATION_MINUTES: "5",
      ESCROW_ADDRESS: escrow,
      ESCROW_TOKEN_ADDRESS: `0x${"cd".repeat(20)}`,
      ESCROW_TOKEN_DECIMALS: "18",
    });
    expect(tuned.checkout.reservationMs).to.equal(5 * 60_000);
    expect(tuned.escrow).to.include({
      address: escrow.toLowerCase(),
      tokenAddress: `0x${"cd".repeat(20)}`,
      tokenDecimals: 18,
    });
    expect(problemsOf({ ...VALID, ESCROW_ADDRESS: "0x1234" })).to.deep.equal([
      "ESCROW_ADDRESS: expected a 0x-prefixed 20-byte hex address",
    ]);
    expect(problemsOf({ ...VALID, CHECKOUT_RESERVATION_MINUTES: "0" })[0]).to.match(/^CHECKOUT_RESERVATION_MINUTES/);
    expect(problemsOf({ ...VALID, CHECKOUT_MAX_OPEN_PER_BUYER: "0" })[0]).to.match(/^CHECKOUT_MAX_OPEN_PER_BUYER/);
    expect(problemsOf({ ...VALID, CHECKOUT_MAX_STOCK_SHARE_PERCENT: "101" })[0]).to.match(
      /^CHECKOUT_MAX_STOCK_SHARE_PERCENT/,
    );
    expect(
      loadApiConfig({ ...VALID, CHECKOUT_MAX_OPEN_PER_BUYER: "2", CHECKOUT_MAX_STOCK_SHARE_PERCENT: "100" }).checkout,
    ).to.include({ maxOpenPerBuyer: 2, maxStockSharePercent: 100 });
    expect(problemsOf({ ...VALID, DISPUTE_WINDOW_DAYS: "0" })[0]).to.match(/^DISPUTE_WINDOW_DAYS/);
    expect(loadApiConfig({ ...VALID, DISPUTE_WINDOW_DAYS: "30" }).disputes.windowMs).to.equal(30 * 86_400_000);
  });

  it("reads the ETH price feed (the local deployment's mock unless named), its maximum age and the quote's life", function () {
    const defaults = loadApiConfig(VALID);
    expect(defaults.eth).to.deep.equal({
      priceFeedAddress: deployments[31337]?.addresses.MockPriceFeed?.toLowerCase(),
      maxPriceAgeSeconds: 3_600,
      quoteTtlMs: 600_000,
    });
    const feed = `0x${"FE".repeat(20)}`;
    const tuned = loadApiConfig({
      ...VALID,
      ETH_PRICE_FEED_ADDRESS: feed,
      ETH_PRICE_MAX_AGE_SECONDS: "86400",
      ETH_QUOTE_TTL_SECONDS: "120",
    });
    expect(tuned.eth).to.deep.equal({
      priceFeedAddress: feed.toLowerCase(),
      maxPriceAgeSeconds: 86_400,
      quoteTtlMs: 120_000,
    });
    // The local mock quotes ETH / USD: a shop in another currency gets no ETH price from it.
    expect(loadApiConfig({ ...VALID, SHOP_CURRENCY: "EUR" }).eth.priceFeedAddress).to.equal(undefined);
    expect(problemsOf({ ...VALID, ETH_PRICE_FEED_ADDRESS: "0x12" })).to.deep.equal([
      "ETH_PRICE_FEED_ADDRESS: expected a 0x-prefixed 20-byte hex address",
    ]);
    expect(problemsOf({ ...VALID, ETH_QUOTE_TTL_SECONDS: "10" })[0]).to.match(/^ETH_QUOTE_TTL_SECONDS/);
    expect(problemsOf({ ...VALID, ETH_PRICE_MAX_AGE_SECONDS: "0" })[0]).to.match(/^ETH_PRICE_MAX_AGE_SECONDS/);
  });

  it("enables vote relaying only with a well-formed RELAYER_PRIVATE_KEY, within a daily gas budget, and takes the governor by address", function () {
    expect(loadApiConfig(VALID).governance).to.include({
      relayerPrivateKey: undefined,
      relayerDailyGasBudget: 10_000_000,
    });
    const key = `0x${"2a".repeat(32)}`;
    const governor = `0x${"EF".repeat(20)}`;
    expect(
      loadApiConfig({
        ...VALID,
        RELAYER_PRIVATE_KEY: key,
        GOVERNOR_ADDRESS: governor,
        RELAYER_DAILY_GAS_BUDGET: "500000",
      }).governance,
    ).to.deep.equal({
      governorAddress: governor.toLowerCase(),
      relayerPrivateKey: key,
      relayerDailyGasBudget: 500_000,
    });
    expect(
      problemsOf({ ...VALID, RELAYER_PRIVATE_KEY: "2a2a", GOVERNOR_ADDRESS: "0x12", RELAYER_DAILY_GAS_BUDGET: "0" }),
    ).to.deep.equal([
      "GOVERNOR_ADDRESS: expected a 0x-prefixed 20-byte hex address",
      "RELAYER_PRIVATE_KEY: expected a 0x-prefixed 32-byte hex private key",
      "RELAYER_DAILY_GAS_BUDGET: Too small: expected number to be >=1",
    ]);
  });
});
