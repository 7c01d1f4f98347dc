import { expect } from "chai";
import { ethers } from "ethers";
import type { HDNodeWallet } from "ethers";
import { decodeFunctionData } from "viem";

import { minorToWei } from "../../api/src/checkout/minor-to-wei.js";
import { createEscrowOrderLinker } from "../../api/src/escrow/escrow-order-linker.js";
import type { EscrowOrderLinker } from "../../api/src/escrow/escrow-order-linker.js";
import { LOCAL_ETH_USD_PRICE } from "../../deploy/LocalModule.js";
import { marketplaceEscrowAbi } from "../../protocol/generated/contracts.js";
import type { SyncDeps } from "../../indexer/src/sync.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { linkedBuyerWallet } from "../support/buyer-wallets.js";
import { insertFarm, insertProduct, insertUser, installIndexerSchema } from "../support/cart-fixtures.js";
import { inProcessSync } from "../support/indexer-setup.js";
import { deployLocal } from "../support/local-deployment.js";
import { startLocalNode } from "../support/local-node.js";
import { fillCart, setPayoutWallet, stockOf } from "../support/order-fixtures.js";
import { syncToHead } from "../support/sync-harness.js";

type Deployment = Awaited<ReturnType<typeof deployLocal>>;
type LocalNode = Awaited<ReturnType<typeof startLocalNode>>;

/** What every order costs in these tests: 2 × 12.50 USD. */
const ORDER_MINOR = 2_500n;
const QUOTE_TTL_SECONDS = 600;

interface EthCheckoutBody {
  checkoutId: string;
  paymentMethod: string;
  expiresAt: string;
  orders: { id: string; paymentMethod: string; escrow: { amount: string; quote: Record<string, unknown> | null } }[];
  eth: {
    chainId: number;
    escrowAddress: string;
    value: string;
    quote: {
      feedAddress: string;
      price: string;
      priceDecimals: number;
      roundId: string;
      expiresAt: string;
      expiresAtUnix: number;
    };
    deadline: string;
    payers: string[];
    orders: { orderId: string; ref: string; seller: string; amount: string }[];
    call: { functionName: string; to: string; data: `0x${string}`; value: string; args: Record<string, unknown> };
  };
}

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

interface OrderDetail {
  status: string;
  paidAt: string | null;
  paymentMethod: string;
  escrow: { orderId: string | null; amount: string; quote: Record<string, unknown> | null };
  flags: { kind: string; details: Record<string, unknown> }[];
  timeline: { kind: string; data: Record<string, unknown> }[];
}

describe("API checkout in ETH, priced by the local price feed", function () {
  this.timeout(120_000);

  let node: LocalNode;
  let deployment: Deployment;
  let api: ApiTestApp;
  let sync: SyncDeps;
  let linker: EscrowOrderLinker;
  let farms: string[];
  let feedAddress: string;
  let keyCounter = 0;

  before(async function () {
    node = await startLocalNode();
    deployment = await deployLocal(node.connection, { deploymentId: node.deploymentId });
    const tokenAddress = (await deployment.usdc.getAddress()).toLowerCase();
    feedAddress = (await deployment.ethUsdFeed.getAddress()).toLowerCase();
    api = await startApiApp({
      store: "redis",
      env: {
        CHAIN_RPC_URL: node.url,
        ESCROW_ADDRESS: (await deployment.escrow.getAddress()).toLowerCase(),
        ESCROW_TOKEN_ADDRESS: tokenAddress,
        ETH_PRICE_FEED_ADDRESS: feedAddress,
        ETH_PRICE_MAX_AGE_SECONDS: "3600",
        ETH_QUOTE_TTL_SECONDS: String(QUOTE_TTL_SECONDS),
      },
    });
    await installIndexerSchema(api.database.pool);
    sync = await inProcessSync(api.database.pool, node.url, deployment, { confirmations: 12 });
    // The deployment's TermsUpdated gives the API its platform fee.
    await syncToHead(sync);
    linker = createEscrowOrderLinker({
      chainId: 31337,
      tokenAddress: tokenAddress as `0x${string}`,
      notifications: api.live.notifications,
    });
    farms = [];
    for (const [index, farmer] of deployment.accounts.farmers.entries()) {
      const farm = await insertFarm(api.database.pool, `ETH Farm ${index}`);
      await setPayoutWallet(api.database.pool, farm, farmer.address);
      farms.push(farm);
    }
  });

  after(async function () {
    await api?.close();
    await node?.stop();
  });

  /** A buyer with a wallet of its own linked, whose cart holds 2 × 12.50 USD from each farm named. */
  async function buyerWithCart(
    farmIndexes: number[],
  ): Promise<{ bearer: string; productIds: string[]; wallet: HDNodeWallet }> {
    const id = await insertUser(api.database.pool);
    const wallet = await linkedBuyerWallet(node.connection, api.database.pool, id);
    const { token: bearer } = await api.accessTokens.issue({ id, roles: ["buyer"] });
    const productIds = [];
    for (const index of farmIndexes) {
      productIds.push(await insertProduct(api.database.pool, farms[index], { priceMinor: 1_250, stock: 10 }));
    }
    await fillCart(
      api.database.pool,
      id,
      productIds.map((productId) => ({ productId, quantity: 2 })),
    );
    return { bearer, productIds, wallet };
  }

  async function postCheckout(bearer: string, key: string): Promise<Response> {
    return api.request("/api/checkout", {
      method: "POST",
      headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json", "Idempotency-Key": key },
      body: JSON.stringify({ paymentMethod: "eth" }),
    });
  }

  async function ethCheckout(
    farmIndexes: number[],
  ): Promise<{ bearer: string; key: string; body: EthCheckoutBody; wallet: HDNodeWallet }> {
    const { bearer, wallet } = await buyerWithCart(farmIndexes);
    const key = `eth-${++keyCounter}`;
    const response = await postCheckout(bearer, key);
    const body = (await response.json()) as EthCheckoutBody;
    expect(response.status, JSON.stringify(body)).to.equal(201);
    return { bearer, key, body, wallet };
  }

  /** What the buyer's wallet does with the checkout's answer: send the call as given, value included. */
  async function payAsInstructed(body: EthCheckoutBody, wallet: HDNodeWallet): Promise<void> {
    const sent = await wallet.sendTransaction({
      to: body.eth.call.to,
      data: body.eth.call.data,
      value: BigInt(body.eth.call.value),
    });
    await sent.wait();
  }

  async function indexAndLink() {
    await syncToHead(sync);
    return linker.linkOnce(api.orm.em.fork());
  }

  async function orderDetail(bearer: string, orderId: string): Promise<OrderDetail> {
    const response = await api.request(`/api/orders/${orderId}`, { headers: { Authorization: `Bearer ${bearer}` } });
    expect(response.status).to.equal(200);
    return (await response.json()) as OrderDetail;
  }

  it("quotes each order in wei from the feed's latest round and marks them paid once the wallet's call is indexed", async function () {
    const before = Date.now();
    const { bearer, key, body, wallet } = await ethCheckout([0, 1]);
    expect(body.eth.payers).to.deep.equal([wallet.address.toLowerCase()]);
    const wei = minorToWei(ORDER_MINOR, "USD", LOCAL_ETH_USD_PRICE, 8);
    expect(wei).to.equal(8_333_333_333_333_334n);

    expect(body.paymentMethod).to.equal("eth");
    expect(body.eth.quote).to.deep.include({
      feedAddress,
      price: LOCAL_ETH_USD_PRICE.toString(),
      priceDecimals: 8,
      roundId: "1",
    });
    const quoteExpiry = Date.parse(body.eth.quote.expiresAt);
    expect(quoteExpiry).to.be.within(before + QUOTE_TTL_SECONDS * 1000, Date.now() + QUOTE_TTL_SECONDS * 1000);
    expect(quoteExpiry).to.be.below(Date.parse(body.eth.deadline));
    expect(body.eth.quote.expiresAtUnix).to.equal(Math.floor(quoteExpiry / 1000));
    expect(body.eth.orders.map((order) => order.amount)).to.deep.equal([wei.toString(), wei.toString()]);
    expect(body.eth.value).to.equal((2n * wei).toString());
    expect(body.eth.call.value).to.equal(body.eth.value);

    const decoded = decodeFunctionData({ abi: marketplaceEscrowAbi, data: body.eth.call.data });
    expect(decoded.functionName).to.equal("createOrders");
    const [token, requests] = decoded.args as [string, { seller: string; amount: bigint; ref: string }[]];
    expect(token).to.equal(ethers.ZeroAddress);
    expect(requests.map((request) => request.amount)).to.deep.equal([wei, wei]);
    // ETH orders are escrow orders: the quote on each is what marks them as paid in ETH.
    for (const order of body.orders) {
      expect(order.paymentMethod).to.equal("escrow");
      expect(order.escrow.quote).to.deep.equal({
        price: LOCAL_ETH_USD_PRICE.toString(),
        priceDecimals: 8,
        roundId: "1",
        expiresAt: body.eth.quote.expiresAt,
      });
    }

    const escrowBalance = await node.connection.ethers.provider.getBalance(body.eth.escrowAddress);
    await payAsInstructed(body, wallet);
    expect((await node.connection.ethers.provider.getBalance(body.eth.escrowAddress)) - escrowBalance).to.equal(
      2n * wei,
    );
    expect(await indexAndLink()).to.deep.equal({ paid: 2, late: 0, flagged: 0, ignored: 0, transitions: 0 });
    for (const order of body.orders) {
      const detail = await orderDetail(bearer, order.id);
      expect(detail.status).to.equal("paid");
      expect(detail.flags).to.deep.equal([]);
      expect(detail.escrow.orderId).to.match(/^\d+$/);
      const paid = detail.timeline.find((event) => event.kind === "paid")!;
      expect(paid.data).to.include({ amount: wei.toString(), token: ethers.ZeroAddress });
    }

    // A repeat of the key returns the same quote, not a fresh one.
    await deployment.ethUsdFeed.setAnswer(310_000_000_000n);
    const replay = await postCheckout(bearer, key);
    expect(replay.status).to.equal(201);
    expect(replay.headers.get("Idempotent-Replayed")).to.equal("true");
    const replayed = (await replay.json()) as EthCheckoutBody;
    expect(replayed.eth.quote).to.deep.equal(body.eth.quote);
    expect(replayed.eth.call).to.deep.equal(body.eth.call);
    await deployment.ethUsdFeed.setAnswer(LOCAL_ETH_USD_PRICE);
  });

  it("prices a new checkout at the feed's newest round", async function () {
    await deployment.ethUsdFeed.setAnswer(250_000_000_000n);
    try {
      const { body } = await ethCheckout([2]);
      const [latestRound] = await deployment.ethUsdFeed.latestRoundData();
      expect(body.eth.quote).to.include({ price: "250000000000", roundId: latestRound.toString() });
      // 25 USD at 2500 USD/ETH: exactly 0.01 ETH.
      expect(body.eth.value).to.equal((10n ** 16n).toString());
      expect(body.eth.call.functionName).to.equal("createOrder");
      expect(body.eth.call.args).to.include({ token: ethers.ZeroAddress, amount: (10n ** 16n).toString() });
    } finally {
      await deployment.ethUsdFeed.setAnswer(LOCAL_ETH_USD_PRICE);
    }
  });

  it("flags an ETH payment of another amount than quoted and leaves the order unpaid", async function () {
    const { bearer, body, wallet } = await ethCheckout([0]);
    const [order] = body.eth.orders;
    const short = BigInt(order.amount) - 1n;
    await (
      await deployment.escrow
        .connect(wallet)
        .createOrder(order.seller, ethers.ZeroAddress, short, order.ref, { value: short })
    ).wait();
    expect(await indexAndLink()).to.deep.equal({ paid: 0, late: 0, flagged: 1, ignored: 0, transitions: 0 });
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect(detail.status).to.equal("awaiting_payment");
    expect(detail.flags.map((flag) => [flag.kind, flag.details.expected, flag.details.paid])).to.deep.equal([
      ["amount_mismatch", order.amount, short.toString()],
    ]);
  });

  it("flags a stablecoin payment for an order quoted in ETH", async function () {
    const { bearer, body, wallet } = await ethCheckout([1]);
    const [order] = body.eth.orders;
    const { usdc, escrow } = deployment;
    const amount = ORDER_MINOR * 10n ** 4n;
    await usdc.mint(wallet.address, amount);
    await (await usdc.connect(wallet).approve(await escrow.getAddress(), amount)).wait();
    await (await escrow.connect(wallet).createOrder(order.seller, await usdc.getAddress(), amount, order.ref)).wait();
    await indexAndLink();
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect(detail.status).to.equal("awaiting_payment");
    expect(detail.flags.map((flag) => [flag.kind, flag.details.expected, flag.details.paid]).sort()).to.deep.equal([
      ["amount_mismatch", order.amount, amount.toString()],
      ["token_mismatch", ethers.ZeroAddress, (await usdc.getAddress()).toLowerCase()],
    ]);
  });

  it("refuses to quote from a stale round, an incomplete round or a non-positive answer, and reserves nothing", async function () {
    const { bearer, productIds } = await buyerWithCart([2]);
    const stock = await stockOf(api.database.pool, productIds[0]);
    const now = await node.connection.networkHelpers.time.latest();
    const refusal = async (): Promise<ErrorBody["error"]> => {
      const response = await postCheckout(bearer, `eth-refused-${++keyCounter}`);
      const body = (await response.json()) as ErrorBody;
      expect(response.status, JSON.stringify(body)).to.equal(503);
      expect(body.error.code).to.equal("price_feed_unusable");
      return body.error;
    };
    try {
      await deployment.ethUsdFeed.setRound(LOCAL_ETH_USD_PRICE, now - 7_200, now - 7_200);
      const stale = await refusal();
      expect(stale.details).to.include({ problem: "stale", maxAgeSeconds: 3600, feed: feedAddress });
      expect(stale.message).to.match(/last updated \d+ s ago, more than the 3600 s allowed/);

      await deployment.ethUsdFeed.setRound(LOCAL_ETH_USD_PRICE, now, 0);
      const incomplete = await refusal();
      expect(incomplete.details).to.include({ problem: "incomplete_round" });
      expect(incomplete.message).to.match(/never completed/);

      for (const answer of [0n, -300_000_000_000n]) {
        await deployment.ethUsdFeed.setAnswer(answer);
        const invalid = await refusal();
        expect(invalid.details).to.include({ problem: "non_positive_answer", answer: answer.toString() });
      }
    } finally {
      await deployment.ethUsdFeed.setAnswer(LOCAL_ETH_USD_PRICE);
    }
    expect(await stockOf(api.database.pool, productIds[0])).to.equal(stock);
    const { rows } = await api.database.pool.query<{ count: string }>(
      "SELECT count(*) FROM cart_items ci JOIN carts c ON c.id = ci.cart_id WHERE ci.product_id = $1",
      [productIds[0]],
    );
    expect(rows[0].count).to.equal("1");
    // With the feed fresh again, the same cart checks out.
    expect((await postCheckout(bearer, `eth-after-refusal-${++keyCounter}`)).status).to.equal(201);
  });

  it("answers a repeat of an ETH checkout's key with 422 payment_method_unavailable once ETH is switched off, keeping the orders", async function () {
    const { bearer, key, body } = await ethCheckout([1]);
    // The same database, restarted without a price feed: ETH checkout is off.
    const ethOff = await startApiApp({
      peer: api,
      env: {
        CHAIN_RPC_URL: node.url,
        ESCROW_ADDRESS: (await deployment.escrow.getAddress()).toLowerCase(),
        ESCROW_TOKEN_ADDRESS: (await deployment.usdc.getAddress()).toLowerCase(),
      },
    });
    try {
      const response = await ethOff.request("/api/checkout", {
        method: "POST",
        headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json", "Idempotency-Key": key },
        body: JSON.stringify({ paymentMethod: "eth" }),
      });
      const error = ((await response.json()) as ErrorBody).error;
      expect(response.status, JSON.stringify(error)).to.equal(422);
      expect(error.code).to.equal("payment_method_unavailable");
      expect(error.message).to.contain("ETH_PRICE_FEED_ADDRESS");
      expect(error.message).to.contain(`keeps its orders until ${body.expiresAt}`);
      expect(error.details).to.include({ paymentMethod: "eth", checkoutId: body.checkoutId });
    } finally {
      await ethOff.close();
    }
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect([detail.status, detail.escrow.amount, detail.escrow.quote?.roundId]).to.deep.equal([
      "awaiting_payment",
      body.eth.value,
      body.eth.quote.roundId,
    ]);
  });

  it("documents the eth option of checkout in the OpenAPI document: the request, and the call, value and quote", async function () {
    const document = (await (await api.request("/api/openapi.json")).json()) as {
      paths: Record<string, Record<string, { requestBody: unknown; responses: Record<string, unknown> }>>;
    };
    const checkout = document.paths["/api/checkout"].post;
    expect(JSON.stringify(checkout.requestBody)).to.match(/"enum":\["escrow","card","eth"\]/);
    const created = checkout.responses["201"] as {
      content: {
        "application/json": { schema: { oneOf?: { properties: Record<string, Record<string, unknown>> }[] } };
      };
    };
    const variants = created.content["application/json"].schema.oneOf ?? [];
    const eth = variants.find((variant) => variant.properties.paymentMethod.const === "eth");
    expect(eth, "an eth variant of the checkout result").not.to.equal(undefined);
    const payment = eth!.properties.eth as { required: string[]; properties: Record<string, { required?: string[] }> };
    expect(payment.required).to.include.members(["value", "quote", "call", "orders", "escrowAddress"]);
    expect(payment.properties.quote.required).to.include.members(["price", "priceDecimals", "roundId", "expiresAt"]);
  });

  // Last: it moves the chain's clock past the quote.
  it("links a payment whose block came after the quote expired as late, though within the reservation: the order ends and keeps it", async function () {
    const { bearer, body, wallet } = await ethCheckout([0]);
    await node.connection.networkHelpers.time.increaseTo(body.eth.quote.expiresAtUnix + 60);
    expect(await node.connection.networkHelpers.time.latest()).to.be.below(Date.parse(body.eth.deadline) / 1000);
    await payAsInstructed(body, wallet);
    expect(await indexAndLink()).to.deep.equal({ paid: 0, late: 1, flagged: 0, ignored: 0, transitions: 0 });
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect(detail.status).to.equal("expired");
    expect(detail.escrow.orderId).to.match(/^\d+$/);
    expect(detail.flags.map((flag) => [flag.kind, flag.details.quoteExpiresAt, flag.details.roundId])).to.deep.equal([
      ["quote_expired", body.eth.quote.expiresAt, body.eth.quote.roundId],
    ]);
    expect(detail.timeline.map((event) => event.kind)).to.have.members(["created", "expired", "paid_late"]);
  });
});
