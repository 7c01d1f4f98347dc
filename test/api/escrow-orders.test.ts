import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { ethers } from "ethers";

import { pino } from "pino";

import { startEscrowLinkJob } from "../../api/src/services/escrow-link-job.js";
import { createEscrowOrderLinker } from "../../api/src/services/escrow-order-linker.js";
import type { EscrowOrderLinker } from "../../api/src/services/escrow-order-linker.js";
import { startReservationExpiryJob } from "../../api/src/services/reservation-expiry-job.js";
import type { SyncDeps } from "../../indexer/src/sync.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { insertFarm, insertProduct, insertUser, installIndexerSchema } from "../support/cart-fixtures.js";
import { inProcessSync } from "../support/indexer-setup.js";
import { deployLocal } from "../support/local-deployment.js";
import { startLocalNode } from "../support/local-node.js";
import { fillCart, setPayoutWallet } from "../support/order-fixtures.js";
import { chainRequest, syncToHead } from "../support/sync-harness.js";

type Deployment = Awaited<ReturnType<typeof deployLocal>>;
type LocalNode = Awaited<ReturnType<typeof startLocalNode>>;

interface CheckoutBody {
  checkoutId: string;
  orders: { id: string }[];
  escrow: {
    escrowAddress: string;
    token: { address: string };
    approval: { spender: string; amount: string };
    orders: { orderId: string; ref: string; seller: string; amount: string }[];
    call: { functionName: string; to: string; data: string; value: string };
  };
}

interface OrderDetail {
  status: string;
  paidAt: string | null;
  feeBps: number;
  escrow: { orderId: string | null };
  flags: { kind: string; details: Record<string, unknown> }[];
  timeline: { kind: string; data: Record<string, unknown> }[];
}

describe("API escrow orders on the local chain", function () {
  this.timeout(120_000);

  let node: LocalNode;
  let deployment: Deployment;
  let api: ApiTestApp;
  let sync: SyncDeps;
  let linker: EscrowOrderLinker;
  let farms: string[];
  let farmers: HardhatEthersSigner[];
  let buyerWallet: HardhatEthersSigner;
  let keyCounter = 0;

  before(async function () {
    node = await startLocalNode();
    deployment = await deployLocal(node.connection, { deploymentId: node.deploymentId });
    const escrowAddress = (await deployment.escrow.getAddress()).toLowerCase();
    const tokenAddress = (await deployment.usdc.getAddress()).toLowerCase();
    api = await startApiApp({
      env: {
        CHAIN_RPC_URL: node.url,
        ESCROW_ADDRESS: escrowAddress,
        ESCROW_TOKEN_ADDRESS: tokenAddress,
        ESCROW_TOKEN_DECIMALS: "6",
      },
    });
    await installIndexerSchema(api.database.pool);
    // Blocks kept for finding a common ancestor: the reorg test takes back a few.
    sync = await inProcessSync(api.database.pool, node.url, deployment, { confirmations: 12 });
    // The deployment's TermsUpdated gives the API its platform fee.
    await syncToHead(sync);
    linker = createEscrowOrderLinker({
      chainId: 31337,
      tokenAddress: tokenAddress as `0x${string}`,
      notifications: api.live.notifications,
    });
    farmers = deployment.accounts.farmers;
    buyerWallet = deployment.accounts.buyers[0];
    farms = [];
    for (const [index, farmer] of farmers.entries()) {
      const farm = await insertFarm(api.database.pool, `Chain Farm ${index}`);
      await setPayoutWallet(api.database.pool, farm, farmer.address);
      farms.push(farm);
    }
  });

  after(async function () {
    await api?.close();
    await node?.stop();
  });

  async function escrowCheckout(farmIndexes: number[]): Promise<{ bearer: string; body: CheckoutBody }> {
    const id = await insertUser(api.database.pool);
    const { token: bearer } = await api.accessTokens.issue({ id, roles: ["buyer"] });
    const lines = [];
    for (const index of farmIndexes) {
      const productId = await insertProduct(api.database.pool, farms[index], { priceMinor: 1_250, stock: 10 });
      lines.push({ productId, quantity: 2 });
    }
    await fillCart(api.database.pool, id, lines);
    const response = await api.request("/api/checkout", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${bearer}`,
        "Content-Type": "application/json",
        "Idempotency-Key": `chain-${++keyCounter}`,
      },
      body: JSON.stringify({ paymentMethod: "escrow" }),
    });
    const body = (await response.json()) as CheckoutBody;
    expect(response.status, JSON.stringify(body)).to.equal(201);
    return { bearer, body };
  }

  /** What the buyer's wallet does with the checkout's answer: approve the total, then send the call as given. */
  async function payAsInstructed(body: CheckoutBody): Promise<void> {
    const { usdc } = deployment;
    await usdc.mint(buyerWallet.address, BigInt(body.escrow.approval.amount));
    await usdc.connect(buyerWallet).approve(body.escrow.approval.spender, BigInt(body.escrow.approval.amount));
    const sent = await buyerWallet.sendTransaction({
      to: body.escrow.call.to,
      data: body.escrow.call.data,
      value: BigInt(body.escrow.call.value),
    });
    await sent.wait();
  }

  /** Pays one order's ref directly, with whatever differs from what the API asked for. */
  async function payDirectly(
    order: CheckoutBody["escrow"]["orders"][number],
    change: { amount?: bigint; seller?: string; eth?: boolean; ref?: string },
  ): Promise<void> {
    const { usdc, escrow } = deployment;
    const amount = change.amount ?? BigInt(order.amount);
    const seller = change.seller ?? order.seller;
    const ref = change.ref ?? order.ref;
    if (change.eth === true) {
      await escrow.connect(buyerWallet).createOrder(seller, ethers.ZeroAddress, amount, ref, { value: amount });
      return;
    }
    await usdc.mint(buyerWallet.address, amount);
    await usdc.connect(buyerWallet).approve(await escrow.getAddress(), amount);
    await escrow.connect(buyerWallet).createOrder(seller, await usdc.getAddress(), amount, ref);
  }

  async function indexAndLink() {
    await syncToHead(sync);
    return linker.linkOnce(api.orm.em.fork());
  }

  /**
   * The order's own `created` entry and then `chainKinds` in chain order. The two clocks are compared only loosely: a
   * local node stamps each quickly mined block a second after the last, so its time runs ahead of (or, after a
   * snapshot revert, behind) the API's.
   */
  function expectTimeline(detail: OrderDetail, chainKinds: string[]) {
    const kinds = detail.timeline.map((event) => event.kind);
    expect(kinds.filter((kind) => kind === "created")).to.have.length(1);
    expect(kinds.filter((kind) => kind !== "created")).to.deep.equal(chainKinds);
  }

  async function orderDetail(bearer: string, orderId: string): Promise<OrderDetail> {
    const response = await api.request(`/api/orders/${orderId}`, { headers: { Authorization: `Bearer ${bearer}` } });
    expect(response.status).to.equal(200);
    return (await response.json()) as OrderDetail;
  }

  it("marks every order of a batch checkout paid once the indexer sees the wallet's createOrders", async function () {
    const { bearer, body } = await escrowCheckout([0, 1]);
    expect(body.escrow.call.functionName).to.equal("createOrders");
    await payAsInstructed(body);
    const report = await indexAndLink();
    expect(report).to.deep.equal({ paid: 2, flagged: 0, transitions: 0 });
    for (const order of body.orders) {
      const detail = await orderDetail(bearer, order.id);
      expect(detail.status).to.equal("paid");
      expect(detail.paidAt).to.be.a("string");
      expect(detail.escrow.orderId).to.match(/^\d+$/);
      expect(detail.flags).to.deep.equal([]);
      expectTimeline(detail, ["paid"]);
    }
    expect(await linker.linkOnce(api.orm.em.fork())).to.deep.equal({ paid: 0, flagged: 0, transitions: 0 });
  });

  it("reflects shipping and the buyer's confirmation on the order, each once", async function () {
    const { bearer, body } = await escrowCheckout([2]);
    expect(body.escrow.call.functionName).to.equal("createOrder");
    await payAsInstructed(body);
    await indexAndLink();
    const orderId = BigInt((await orderDetail(bearer, body.orders[0].id)).escrow.orderId!);

    await deployment.escrow.connect(farmers[2]).markShipped(orderId);
    expect(await indexAndLink()).to.deep.equal({ paid: 0, flagged: 0, transitions: 1 });
    expect((await orderDetail(bearer, body.orders[0].id)).status).to.equal("shipped");

    await deployment.escrow.connect(buyerWallet).confirmDelivery(orderId);
    expect(await indexAndLink()).to.deep.equal({ paid: 0, flagged: 0, transitions: 1 });
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect(detail.status).to.equal("delivered");
    expectTimeline(detail, ["paid", "shipped", "delivered"]);
    const shipped = detail.timeline.find((event) => event.kind === "shipped")!;
    expect(shipped.data).to.include({ event: "OrderShipped" });
    expect(shipped.data.txHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(await indexAndLink()).to.deep.equal({ paid: 0, flagged: 0, transitions: 0 });
  });

  it("flags a payment of the wrong amount and leaves the order unpaid", async function () {
    const { bearer, body } = await escrowCheckout([0]);
    const [order] = body.escrow.orders;
    await payDirectly(order, { amount: BigInt(order.amount) - 1n });
    expect(await indexAndLink()).to.deep.equal({ paid: 0, flagged: 1, transitions: 0 });
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect(detail.status).to.equal("awaiting_payment");
    expect(detail.flags.map((flag) => [flag.kind, flag.details.expected, flag.details.paid])).to.deep.equal([
      ["amount_mismatch", order.amount, (BigInt(order.amount) - 1n).toString()],
    ]);
    expectTimeline(detail, ["flagged"]);
    expect(await indexAndLink()).to.deep.equal({ paid: 0, flagged: 0, transitions: 0 });
  });

  it("flags a payment to another seller", async function () {
    const { bearer, body } = await escrowCheckout([0]);
    await payDirectly(body.escrow.orders[0], { seller: farmers[1].address });
    await indexAndLink();
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect(detail.status).to.equal("awaiting_payment");
    expect(detail.flags.map((flag) => [flag.kind, flag.details.paid])).to.deep.equal([
      ["seller_mismatch", farmers[1].address.toLowerCase()],
    ]);
  });

  it("flags a payment in another token", async function () {
    const { bearer, body } = await escrowCheckout([1]);
    await payDirectly(body.escrow.orders[0], { eth: true });
    await indexAndLink();
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect(detail.status).to.equal("awaiting_payment");
    expect(detail.flags.map((flag) => [flag.kind, flag.details.paid])).to.deep.equal([
      ["token_mismatch", ethers.ZeroAddress],
    ]);
  });

  it("flags an escrow order whose ref names no order, for an admin to see", async function () {
    const { body } = await escrowCheckout([2]);
    const ref = ethers.id(`unknown-${Date.now()}`);
    await payDirectly(body.escrow.orders[0], { ref });
    expect(await indexAndLink()).to.deep.equal({ paid: 0, flagged: 1, transitions: 0 });
    const { rows } = await api.database.pool.query<{ order_id: string | null; details: Record<string, unknown> }>(
      "SELECT order_id, details FROM order_flags WHERE kind = 'unknown_ref'",
    );
    expect(rows).to.have.length(1);
    expect(rows[0].order_id).to.equal(null);
    expect(rows[0].details.ref).to.equal(ref);

    const admin = await api.accessTokens.issue({
      id: await insertUser(api.database.pool, ["admin"]),
      roles: ["admin"],
    });
    const listed = await api.request("/api/admin/order-flags", { headers: { Authorization: `Bearer ${admin.token}` } });
    expect(listed.status).to.equal(200);
    const { flags } = (await listed.json()) as { flags: { kind: string; orderId: string | null }[] };
    expect(flags.filter((flag) => flag.kind === "unknown_ref")).to.deep.equal([
      { ...flags.find((flag) => flag.kind === "unknown_ref"), orderId: null },
    ]);
    const buyer = await api.accessTokens.issue({ id: await insertUser(api.database.pool), roles: ["buyer"] });
    const refused = await api.request("/api/admin/order-flags", {
      headers: { Authorization: `Bearer ${buyer.token}` },
    });
    expect(refused.status).to.equal(403);
  });

  it("leaves a payment indexed but not yet linked to the linker when the reservation expires, and expires flagged ones", async function () {
    const flagged = await escrowCheckout([0]);
    await payDirectly(flagged.body.escrow.orders[0], { amount: 1n });
    await indexAndLink();
    const onTime = await escrowCheckout([1]);
    await payAsInstructed(onTime.body);
    await syncToHead(sync);

    const expiry = startReservationExpiryJob({
      fork: () => api.orm.em.fork(),
      notifications: api.live.notifications,
      chainId: 31337,
      intervalMs: 60_000,
      log: pino({ level: "silent" }),
      onStockChanged: () => Promise.resolve(),
      schedule: false,
      now: () => new Date(Date.now() + 31 * 60_000),
    });
    await expiry.runOnce();
    await expiry.stop();
    expect((await orderDetail(flagged.bearer, flagged.body.orders[0].id)).status).to.equal("expired");
    expect((await orderDetail(onTime.bearer, onTime.body.orders[0].id)).status).to.equal("awaiting_payment");

    await linker.linkOnce(api.orm.em.fork());
    expect((await orderDetail(onTime.bearer, onTime.body.orders[0].id)).status).to.equal("paid");
  });

  it("links as soon as the indexer announces new blocks", async function () {
    const job = startEscrowLinkJob({
      linker,
      fork: () => api.orm.em.fork(),
      pubSub: api.store.pubSub,
      chainId: 31337,
      // Far longer than the test: only the announcement can trigger the run.
      intervalMs: 3_600_000,
      log: pino({ level: "silent" }),
    });
    try {
      const { bearer, body } = await escrowCheckout([2]);
      await payAsInstructed(body);
      await syncToHead(sync);
      await api.store.pubSub.publish("indexer:31337", JSON.stringify({ type: "block", chainId: 31337 }));
      let status = "";
      for (let attempt = 0; attempt < 200 && status !== "paid"; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        status = (await orderDetail(bearer, body.orders[0].id)).status;
      }
      expect(status).to.equal("paid");
    } finally {
      await job.stop();
    }
  });

  it("takes a payment back when a reorganization removes it, and accepts it again when it is mined anew", async function () {
    const { bearer, body } = await escrowCheckout([0]);
    const snapshot = await chainRequest<string>(node.connection, "evm_snapshot");
    await payAsInstructed(body);
    await indexAndLink();
    expect((await orderDetail(bearer, body.orders[0].id)).status).to.equal("paid");

    await chainRequest(node.connection, "evm_revert", [snapshot]);
    await node.connection.networkHelpers.mine(5);
    const steps = await syncToHead(sync);
    expect(steps.map((step) => step.type)).to.include("reorg");
    expect(await linker.reconcileReorg(api.orm.em.fork())).to.equal(1);
    const reverted = await orderDetail(bearer, body.orders[0].id);
    expect(reverted).to.deep.include({ status: "awaiting_payment", paidAt: null });
    expect(reverted.escrow.orderId).to.equal(null);
    expect(reverted.timeline.map((event) => event.kind)).to.deep.equal(["created"]);

    await payAsInstructed(body);
    expect(await indexAndLink()).to.deep.equal({ paid: 1, flagged: 0, transitions: 0 });
    expectTimeline(await orderDetail(bearer, body.orders[0].id), ["paid"]);
  });

  // Last: it moves the chain's clock past every reservation made so far.
  it("credits the farm its share on delivery, which the farmer withdraws", async function () {
    const { bearer, body } = await escrowCheckout([0]);
    await payAsInstructed(body);
    await indexAndLink();
    const paid = await orderDetail(bearer, body.orders[0].id);
    const orderId = BigInt(paid.escrow.orderId!);
    const { escrow, usdc } = deployment;
    const token = await usdc.getAddress();
    const farmer = farmers[0];
    const creditBefore = await escrow.creditOf(farmer.address, token);

    await escrow.connect(farmer).markShipped(orderId);
    await escrow.connect(buyerWallet).confirmDelivery(orderId);
    await indexAndLink();
    expect((await orderDetail(bearer, body.orders[0].id)).status).to.equal("delivered");
    // The fee the order was priced with (snapshotted on-chain too) stays with the platform.
    const amount = BigInt(body.escrow.orders[0].amount);
    const share = amount - (amount * BigInt(paid.feeBps)) / 10_000n;
    expect((await escrow.creditOf(farmer.address, token)) - creditBefore).to.equal(share);

    const balanceBefore = await usdc.balanceOf(farmer.address);
    await (await escrow.connect(farmer).withdraw(token, farmer.address)).wait();
    expect((await usdc.balanceOf(farmer.address)) - balanceBefore).to.equal(creditBefore + share);
    expect(await escrow.creditOf(farmer.address, token)).to.equal(0n);
  });

  // It moves the chain's clock past the ship window: only tests of late payments may follow.
  it("refunds the buyer when the farm never ships, and shows the order refunded", async function () {
    const { bearer, body } = await escrowCheckout([1]);
    await payAsInstructed(body);
    await indexAndLink();
    const orderId = BigInt((await orderDetail(bearer, body.orders[0].id)).escrow.orderId!);
    const { escrow, usdc } = deployment;
    const token = await usdc.getAddress();
    const terms = await escrow.currentTerms();
    await node.connection.networkHelpers.time.increase(Number(terms.shipWindow) + 1);

    const creditBefore = await escrow.creditOf(buyerWallet.address, token);
    await (await escrow.connect(buyerWallet).refundAfterTimeout(orderId)).wait();
    expect(await indexAndLink()).to.deep.equal({ paid: 0, flagged: 0, transitions: 1 });
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect(detail.status).to.equal("refunded");
    expectTimeline(detail, ["paid", "refunded"]);
    expect((await escrow.creditOf(buyerWallet.address, token)) - creditBefore).to.equal(
      BigInt(body.escrow.orders[0].amount),
    );
  });

  it("flags a payment made after the reservation expired", async function () {
    const { bearer, body } = await escrowCheckout([1]);
    await node.connection.networkHelpers.time.increase(31 * 60);
    await payAsInstructed(body);
    await indexAndLink();
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect(detail.status).to.equal("awaiting_payment");
    expect(detail.flags.map((flag) => flag.kind)).to.deep.equal(["late_payment"]);
  });
});
