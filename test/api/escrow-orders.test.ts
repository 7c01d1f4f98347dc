import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { ethers } from "ethers";
import type { HDNodeWallet } from "ethers";

import { pino } from "pino";

import { createPaymentInFlightGuard, readReceiptsFrom } from "../../api/src/checkout/payment-in-flight-guard.js";
import { startReservationExpiryJob } from "../../api/src/checkout/reservation-expiry-job.js";
import { startEscrowLinkJob } from "../../api/src/escrow/escrow-link-job.js";
import { createEscrowOrderLinker } from "../../api/src/escrow/escrow-order-linker.js";
import type { EscrowOrderLinker } from "../../api/src/escrow/escrow-order-linker.js";
import type { SyncDeps } from "../../indexer/src/sync.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { fundedWallet, linkedBuyerWallet } from "../support/buyer-wallets.js";
import { insertFarm, insertProduct, insertUser, installIndexerSchema } from "../support/cart-fixtures.js";
import { asTimelock } from "../support/escrow-actions.js";
import { inProcessSync } from "../support/indexer-setup.js";
import { deployLocal } from "../support/local-deployment.js";
import { startLocalNode } from "../support/local-node.js";
import { farmOwner, fillCart, insertOrder, setPayoutWallet, stockOf } from "../support/order-fixtures.js";
import { chainRequest, syncToHead } from "../support/sync-harness.js";

type Deployment = Awaited<ReturnType<typeof deployLocal>>;
type LocalNode = Awaited<ReturnType<typeof startLocalNode>>;

interface CheckoutBody {
  checkoutId: string;
  orders: { id: string; feeBps: number; feeMinor: number }[];
  escrow: {
    payers: string[];
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
  feeMinor: number;
  escrow: {
    orderId: string | null;
    onChain: { state: string; deadline: string; buyer: string; seller: string; feeBps: number } | null;
  };
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
  let keyCounter = 0;

  /** A report of the linker, every count zero but those given. */
  const linked = (counts: Partial<Record<"paid" | "late" | "flagged" | "ignored" | "transitions", number>>) => ({
    paid: 0,
    late: 0,
    flagged: 0,
    ignored: 0,
    transitions: 0,
    ...counts,
  });

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

  /** A new buyer with a wallet of its own linked, who checks out a product of each farm given (2 × 12.50 USD). */
  async function escrowCheckout(
    farmIndexes: number[],
  ): Promise<{ bearer: string; body: CheckoutBody; wallet: HDNodeWallet; userId: string; productIds: string[] }> {
    const id = await insertUser(api.database.pool);
    const wallet = await linkedBuyerWallet(node.connection, api.database.pool, id);
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
    return { bearer, body, wallet, userId: id, productIds: lines.map((line) => line.productId) };
  }

  /** What a wallet does with the checkout's answer: approve the total, then send the call as given. */
  async function payAsInstructed(body: CheckoutBody, wallet: HDNodeWallet | HardhatEthersSigner): Promise<string> {
    const { usdc } = deployment;
    await usdc.mint(wallet.address, BigInt(body.escrow.approval.amount));
    await (
      await usdc.connect(wallet).approve(body.escrow.approval.spender, BigInt(body.escrow.approval.amount))
    ).wait();
    const sent = await wallet.sendTransaction({
      to: body.escrow.call.to,
      data: body.escrow.call.data,
      value: BigInt(body.escrow.call.value),
    });
    await sent.wait();
    return sent.hash;
  }

  /** Pays one order's ref directly from `wallet`, with whatever differs from what the API asked for. */
  async function payDirectly(
    wallet: HDNodeWallet,
    order: CheckoutBody["escrow"]["orders"][number],
    change: { amount?: bigint; seller?: string; eth?: boolean; ref?: string },
  ): Promise<void> {
    const { usdc, escrow } = deployment;
    const amount = change.amount ?? BigInt(order.amount);
    const seller = change.seller ?? order.seller;
    const ref = change.ref ?? order.ref;
    if (change.eth === true) {
      await (
        await escrow.connect(wallet).createOrder(seller, ethers.ZeroAddress, amount, ref, { value: amount })
      ).wait();
      return;
    }
    await usdc.mint(wallet.address, amount);
    await (await usdc.connect(wallet).approve(await escrow.getAddress(), amount)).wait();
    await (await escrow.connect(wallet).createOrder(seller, await usdc.getAddress(), amount, ref)).wait();
  }

  async function request<T>(method: string, path: string, bearer: string, body?: unknown) {
    const response = await api.request(path, {
      method,
      headers: {
        Authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  type ApiErrorBody = { error: { code: string; details: Record<string, unknown> } };

  const cancel = (bearer: string, orderId: string) =>
    request<OrderDetail & ApiErrorBody>("POST", `/api/orders/${orderId}/cancel`, bearer);

  const reportPayment = (bearer: string, checkoutId: string, txHash: string) =>
    request<{ txHash: string; reportedAt: string; outcome: string | null } & ApiErrorBody>(
      "POST",
      `/api/checkouts/${checkoutId}/payment-transactions`,
      bearer,
      { txHash },
    );

  async function farmerBearer(farmIndex: number): Promise<string> {
    const id = await farmOwner(api.database.pool, farms[farmIndex]);
    return (await api.accessTokens.issue({ id, roles: ["buyer", "farmer"] })).token;
  }

  async function notificationsOf(userId: string, orderId: string) {
    const { rows } = await api.database.pool.query<{ kind: string; data: Record<string, unknown> }>(
      "SELECT kind, data FROM notifications WHERE user_id = $1 AND order_id = $2 ORDER BY id",
      [userId, orderId],
    );
    return rows;
  }

  /** A reservation expiry run, as if `minutesLater` had passed, obeying a payment guard whose reports hold `holdMs`. */
  async function expireAfter(minutesLater: number, holdMs = 10 * 60_000) {
    const escrowAddress = (await deployment.escrow.getAddress()).toLowerCase() as `0x${string}`;
    const expiry = startReservationExpiryJob({
      fork: () => api.orm.em.fork(),
      notifications: api.live.notifications,
      paymentInFlight: createPaymentInFlightGuard({
        chainId: 31337,
        escrowAddress,
        readReceipt: readReceiptsFrom(node.url, 31337),
        pendingMs: holdMs,
      }),
      intervalMs: 60_000,
      log: pino({ level: "silent" }),
      onStockChanged: () => Promise.resolve(),
      schedule: false,
      now: () => new Date(Date.now() + minutesLater * 60_000),
    });
    await expiry.runOnce();
    await expiry.stop();
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
    const { bearer, body, wallet } = await escrowCheckout([0, 1]);
    expect(body.escrow.call.functionName).to.equal("createOrders");
    expect(body.escrow.payers).to.deep.equal([wallet.address.toLowerCase()]);
    await payAsInstructed(body, wallet);
    const report = await indexAndLink();
    expect(report).to.deep.equal(linked({ paid: 2 }));
    for (const order of body.orders) {
      const detail = await orderDetail(bearer, order.id);
      expect(detail.status).to.equal("paid");
      expect(detail.paidAt).to.be.a("string");
      expect(detail.escrow.orderId).to.match(/^\d+$/);
      expect(detail.escrow.onChain).to.deep.include({ state: "Funded", buyer: wallet.address.toLowerCase() });
      expect(detail.flags).to.deep.equal([]);
      expectTimeline(detail, ["paid"]);
    }
    expect(await linker.linkOnce(api.orm.em.fork())).to.deep.equal(linked({}));
  });

  it("reflects shipping and the buyer's confirmation on the order, each once", async function () {
    const { bearer, body, wallet } = await escrowCheckout([2]);
    expect(body.escrow.call.functionName).to.equal("createOrder");
    await payAsInstructed(body, wallet);
    await indexAndLink();
    const orderId = BigInt((await orderDetail(bearer, body.orders[0].id)).escrow.orderId!);

    await deployment.escrow.connect(farmers[2]).markShipped(orderId);
    expect(await indexAndLink()).to.deep.equal(linked({ transitions: 1 }));
    expect((await orderDetail(bearer, body.orders[0].id)).status).to.equal("shipped");

    await (await deployment.escrow.connect(wallet).confirmDelivery(orderId)).wait();
    expect(await indexAndLink()).to.deep.equal(linked({ transitions: 1 }));
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect(detail.status).to.equal("delivered");
    expect(detail.escrow.onChain?.state).to.equal("Completed");
    expectTimeline(detail, ["paid", "shipped", "delivered"]);
    const shipped = detail.timeline.find((event) => event.kind === "shipped")!;
    expect(shipped.data).to.include({ event: "OrderShipped" });
    expect(shipped.data.txHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(await indexAndLink()).to.deep.equal(linked({}));
  });

  it("flags a payment of the wrong amount and leaves the order unpaid", async function () {
    const { bearer, body, wallet } = await escrowCheckout([0]);
    const [order] = body.escrow.orders;
    await payDirectly(wallet, order, { amount: BigInt(order.amount) - 1n });
    expect(await indexAndLink()).to.deep.equal(linked({ flagged: 1 }));
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect(detail.status).to.equal("awaiting_payment");
    expect(detail.flags.map((flag) => [flag.kind, flag.details.expected, flag.details.paid])).to.deep.equal([
      ["amount_mismatch", order.amount, (BigInt(order.amount) - 1n).toString()],
    ]);
    expectTimeline(detail, ["flagged"]);
    expect(await indexAndLink()).to.deep.equal(linked({}));
  });

  it("flags a payment to another seller", async function () {
    const { bearer, body, wallet } = await escrowCheckout([0]);
    await payDirectly(wallet, body.escrow.orders[0], { seller: farmers[1].address });
    await indexAndLink();
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect(detail.status).to.equal("awaiting_payment");
    expect(detail.flags.map((flag) => [flag.kind, flag.details.paid])).to.deep.equal([
      ["seller_mismatch", farmers[1].address.toLowerCase()],
    ]);
  });

  it("flags a payment in another token", async function () {
    const { bearer, body, wallet } = await escrowCheckout([1]);
    await payDirectly(wallet, body.escrow.orders[0], { eth: true });
    await indexAndLink();
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect(detail.status).to.equal("awaiting_payment");
    expect(detail.flags.map((flag) => [flag.kind, flag.details.paid])).to.deep.equal([
      ["token_mismatch", ethers.ZeroAddress],
    ]);
  });

  it("flags an escrow order whose ref names no order, for an admin to see", async function () {
    const { body, wallet } = await escrowCheckout([2]);
    const ref = ethers.id(`unknown-${Date.now()}`);
    await payDirectly(wallet, body.escrow.orders[0], { ref });
    expect(await indexAndLink()).to.deep.equal(linked({ flagged: 1 }));
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

  it("lets a buyer's batch through and marks it paid after a squatter front-ran its refs, flagging nothing on it", async function () {
    const { bearer, body, wallet, userId } = await escrowCheckout([0, 1]);
    const squatter = await fundedWallet(node.connection);
    for (const order of body.escrow.orders) {
      await (
        await deployment.escrow.connect(squatter).createOrder(order.seller, ethers.ZeroAddress, 1n, order.ref, {
          value: 1n,
        })
      ).wait();
    }

    await payAsInstructed(body, wallet);
    expect(await indexAndLink()).to.deep.equal(linked({ paid: 2, ignored: 2 }));
    for (const order of body.orders) {
      const detail = await orderDetail(bearer, order.id);
      expect(detail.status).to.equal("paid");
      expect(detail.flags).to.deep.equal([]);
      expect(detail.escrow.onChain?.buyer).to.equal(wallet.address.toLowerCase());
      expectTimeline(detail, ["paid"]);
      expect((await notificationsOf(userId, order.id)).map((row) => row.kind)).to.deep.equal(["order_paid"]);
    }
    const { rows } = await api.database.pool.query<{ order_id: string | null; details: Record<string, unknown> }>(
      "SELECT order_id, details FROM order_flags WHERE kind = 'foreign_payer' AND details->>'buyer' = $1",
      [squatter.address.toLowerCase()],
    );
    expect(rows.map((row) => [row.order_id, row.details.namedOrderId]).sort()).to.deep.equal(
      body.orders.map((order) => [null, order.id]).sort(),
    );
  });

  it("records and ignores a payment from a wallet not linked to the buyer, which then still pays from its own", async function () {
    const { bearer, body, wallet, userId } = await escrowCheckout([2]);
    const stranger = await fundedWallet(node.connection);
    await payAsInstructed(body, stranger);
    expect(await indexAndLink()).to.deep.equal(linked({ ignored: 1 }));
    const ignored = await orderDetail(bearer, body.orders[0].id);
    expect(ignored).to.deep.include({ status: "awaiting_payment", flags: [] });
    expect(ignored.escrow.orderId).to.equal(null);
    expect(await notificationsOf(userId, body.orders[0].id)).to.deep.equal([]);
    expect(await indexAndLink(), "judged once").to.deep.equal(linked({}));

    await payAsInstructed(body, wallet);
    expect(await indexAndLink()).to.deep.equal(linked({ paid: 1 }));
    expect((await orderDetail(bearer, body.orders[0].id)).escrow.onChain?.buyer).to.equal(wallet.address.toLowerCase());
  });

  it("leaves a payment indexed but not yet linked to the linker when the reservation expires, and expires flagged and squatted ones", async function () {
    const flagged = await escrowCheckout([0]);
    await payDirectly(flagged.wallet, flagged.body.escrow.orders[0], { amount: 1n });
    await indexAndLink();
    const onTime = await escrowCheckout([1]);
    await payAsInstructed(onTime.body, onTime.wallet);
    const squatted = await escrowCheckout([2]);
    await payAsInstructed(squatted.body, await fundedWallet(node.connection));
    await syncToHead(sync);

    await expireAfter(31);
    expect((await orderDetail(flagged.bearer, flagged.body.orders[0].id)).status).to.equal("expired");
    expect((await orderDetail(onTime.bearer, onTime.body.orders[0].id)).status).to.equal("awaiting_payment");
    expect((await orderDetail(squatted.bearer, squatted.body.orders[0].id)).status).to.equal("expired");

    expect(await linker.linkOnce(api.orm.em.fork())).to.deep.equal(linked({ paid: 1, ignored: 1 }));
    expect((await orderDetail(onTime.bearer, onTime.body.orders[0].id)).status).to.equal("paid");
  });

  it("refuses to cancel while the wallet's reported payment is pending, mined or indexed, and once it is paid", async function () {
    const { bearer, body, wallet } = await escrowCheckout([0]);
    const orderId = body.orders[0].id;
    const { usdc } = deployment;
    await usdc.mint(wallet.address, BigInt(body.escrow.approval.amount));
    await (
      await usdc.connect(wallet).approve(body.escrow.approval.spender, BigInt(body.escrow.approval.amount))
    ).wait();
    await chainRequest(node.connection, "evm_setAutomine", [false]);
    try {
      const sent = await wallet.sendTransaction({ to: body.escrow.call.to, data: body.escrow.call.data });
      const reported = await reportPayment(bearer, body.checkoutId, sent.hash.toUpperCase().replace("0X", "0x"));
      expect(reported.status).to.equal(200);
      expect(reported.body).to.deep.include({ txHash: sent.hash, outcome: null });
      const again = await reportPayment(bearer, body.checkoutId, sent.hash);
      expect(again.body.reportedAt, "reporting it again changes nothing").to.equal(reported.body.reportedAt);

      const pending = await cancel(bearer, orderId);
      expect(pending.status).to.equal(409);
      expect(pending.body.error.code).to.equal("payment_pending");
      expect(pending.body.error.details.payment).to.deep.include({
        kind: "reported_transaction",
        txHash: sent.hash,
        mined: false,
      });

      await chainRequest(node.connection, "evm_mine");
      const mined = await cancel(bearer, orderId);
      expect(mined.status).to.equal(409);
      expect(mined.body.error.details.payment).to.deep.include({ kind: "reported_transaction", mined: true });
    } finally {
      await chainRequest(node.connection, "evm_setAutomine", [true]);
    }

    await syncToHead(sync);
    const indexed = await cancel(bearer, orderId);
    expect(indexed.status).to.equal(409);
    expect(indexed.body.error.code).to.equal("payment_pending");
    expect(indexed.body.error.details.payment).to.deep.include({ kind: "indexed_escrow_order" });

    expect(await linker.linkOnce(api.orm.em.fork())).to.deep.equal(linked({ paid: 1 }));
    const paid = await cancel(bearer, orderId);
    expect(paid.status).to.equal(409);
    expect(paid.body.error.code).to.equal("order_not_cancellable");
  });

  it("holds an order from expiring while its reported transaction is unknown, for the configured time at most", async function () {
    const { bearer, body, productIds } = await escrowCheckout([1]);
    const neverMined = ethers.hexlify(ethers.randomBytes(32));
    expect((await reportPayment(bearer, body.checkoutId, neverMined)).status).to.equal(200);
    expect((await cancel(bearer, body.orders[0].id)).body.error.code).to.equal("payment_pending");

    await expireAfter(31, 60 * 60_000);
    expect((await orderDetail(bearer, body.orders[0].id)).status).to.equal("awaiting_payment");
    expect(await stockOf(api.database.pool, productIds[0])).to.equal(8);

    await expireAfter(31, 30 * 60_000);
    expect((await orderDetail(bearer, body.orders[0].id)).status).to.equal("expired");
    expect(await stockOf(api.database.pool, productIds[0])).to.equal(10);
  });

  it("takes payment transaction reports only from the checkout's buyer, for escrow checkouts, a few per checkout", async function () {
    const { bearer, body, userId } = await escrowCheckout([2]);
    const hash = () => ethers.hexlify(ethers.randomBytes(32));
    const other = await api.accessTokens.issue({ id: await insertUser(api.database.pool), roles: ["buyer"] });
    expect((await reportPayment(other.token, body.checkoutId, hash())).status).to.equal(404);
    const malformed = await reportPayment(bearer, body.checkoutId, "0x1234");
    expect(malformed.status).to.equal(400);
    expect(malformed.body.error.code).to.equal("validation_failed");

    const cardOrder = await insertOrder(api.database.pool, {
      buyerId: userId,
      farmId: farms[2],
      status: "awaiting_payment",
    });
    const { rows } = await api.database.pool.query<{ checkout_id: string }>(
      "SELECT checkout_id FROM orders WHERE id = $1",
      [cardOrder],
    );
    const card = await reportPayment(bearer, rows[0].checkout_id, hash());
    expect(card.status).to.equal(409);
    expect(card.body.error.code).to.equal("not_an_escrow_checkout");

    for (let i = 0; i < 5; i++) expect((await reportPayment(bearer, body.checkoutId, hash())).status).to.equal(200);
    const sixth = await reportPayment(bearer, body.checkoutId, hash());
    expect(sixth.status).to.equal(409);
    expect(sixth.body.error.code).to.equal("too_many_payment_transactions");
  });

  it("links a payment mined after the buyer cancelled, shows its escrow order, and tells the buyer when the farm ships it", async function () {
    const { bearer, body, wallet, userId } = await escrowCheckout([2]);
    const orderId = body.orders[0].id;
    expect((await cancel(bearer, orderId)).status).to.equal(200);
    await payAsInstructed(body, wallet);

    expect(await indexAndLink()).to.deep.equal(linked({ late: 1 }));
    const late = await orderDetail(bearer, orderId);
    expect(late.status).to.equal("cancelled");
    expect(late.escrow.orderId).to.match(/^\d+$/);
    expect(late.escrow.onChain).to.deep.include({
      state: "Funded",
      buyer: wallet.address.toLowerCase(),
      seller: farmers[2].address.toLowerCase(),
    });
    expect(Date.parse(late.escrow.onChain!.deadline)).to.be.greaterThan(Date.now());
    expect(late.flags.map((flag) => flag.kind)).to.deep.equal(["late_payment"]);
    expect(late.timeline.map((event) => event.kind)).to.have.members(["created", "cancelled", "paid_late"]);
    const farmer = await farmOwner(api.database.pool, farms[2]);
    expect(await notificationsOf(farmer, orderId)).to.deep.equal([
      { kind: "payment_flagged", data: { reason: "late_payment", method: "escrow" } },
    ]);

    await (await deployment.escrow.connect(farmers[2]).markShipped(BigInt(late.escrow.orderId!))).wait();
    expect(await indexAndLink()).to.deep.equal(linked({ transitions: 1 }));
    const shipped = await orderDetail(bearer, orderId);
    expect(shipped.status).to.equal("shipped");
    expect(shipped.escrow.onChain?.state).to.equal("Shipped");
    expect(shipped.timeline.map((event) => event.kind)).to.include("shipped");
    expect((await notificationsOf(userId, orderId)).map((row) => row.kind)).to.deep.equal([
      "order_cancelled",
      "payment_flagged",
      "shipped",
    ]);
  });

  it("gives the farm the declineOrder call for a paid-but-cancelled order, which refunds the buyer in full", async function () {
    const { bearer, body, wallet, userId } = await escrowCheckout([0]);
    const orderId = body.orders[0].id;
    expect((await cancel(bearer, orderId)).status).to.equal(200);
    await payAsInstructed(body, wallet);
    await indexAndLink();
    const escrowOrderId = (await orderDetail(bearer, orderId)).escrow.orderId!;

    const farmer = await farmerBearer(0);
    expect((await request("POST", `/api/orders/${orderId}/escrow-refund`, bearer)).status).to.equal(403);
    expect((await request("POST", `/api/orders/${orderId}/escrow-refund`, await farmerBearer(1))).status).to.equal(404);
    const { status, body: call } = await request<{ to: string; data: string; from: string; functionName: string }>(
      "POST",
      `/api/orders/${orderId}/escrow-refund`,
      farmer,
    );
    expect(status).to.equal(200);
    expect(call).to.deep.include({
      functionName: "declineOrder",
      from: farmers[0].address.toLowerCase(),
      to: body.escrow.escrowAddress,
      args: { orderId: escrowOrderId },
    });

    const token = await deployment.usdc.getAddress();
    const creditBefore = await deployment.escrow.creditOf(wallet.address, token);
    await (await farmers[0].sendTransaction({ to: call.to, data: call.data })).wait();
    expect(await indexAndLink()).to.deep.equal(linked({ transitions: 1 }));
    const refunded = await orderDetail(bearer, orderId);
    expect(refunded.status).to.equal("refunded");
    expect(refunded.escrow.onChain?.state).to.equal("Refunded");
    expect(refunded.timeline.map((event) => event.kind)).to.include("refunded");
    expect((await notificationsOf(userId, orderId)).map((row) => row.kind)).to.include("refund");
    expect((await deployment.escrow.creditOf(wallet.address, token)) - creditBefore).to.equal(
      BigInt(body.escrow.orders[0].amount),
    );
    const again = await request<ApiErrorBody>("POST", `/api/orders/${orderId}/escrow-refund`, farmer);
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal("escrow_refund_unavailable");
  });

  it("lets the buyer dispute a paid-but-cancelled order and tells it of the settlement the farm proposes", async function () {
    const { bearer, body, wallet, userId } = await escrowCheckout([1]);
    const orderId = body.orders[0].id;
    expect((await cancel(bearer, orderId)).status).to.equal(200);
    await payAsInstructed(body, wallet);
    await indexAndLink();
    const escrowOrderId = BigInt((await orderDetail(bearer, orderId)).escrow.orderId!);

    const opened = await request<{ escrowCall: { to: string; data: string; from: string } }>(
      "POST",
      `/api/orders/${orderId}/disputes`,
      bearer,
      { reason: "Paid just after cancelling, and nothing came" },
    );
    expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
    expect(opened.body.escrowCall.from).to.equal(wallet.address.toLowerCase());
    await (await wallet.sendTransaction({ to: opened.body.escrowCall.to, data: opened.body.escrowCall.data })).wait();
    await (await deployment.escrow.connect(farmers[1]).proposeSettlement(escrowOrderId, 8_000)).wait();
    expect(await indexAndLink()).to.deep.equal(linked({ transitions: 2 }));

    const detail = await orderDetail(bearer, orderId);
    expect(detail.status).to.equal("disputed");
    expect(detail.escrow.onChain?.state).to.equal("Disputed");
    expect(detail.timeline.map((event) => event.kind)).to.include.members(["disputed", "settlement_proposed"]);
    const proposed = (await notificationsOf(userId, orderId)).filter((row) => row.kind === "settlement_proposed");
    expect(proposed).to.have.length(1);
    expect(proposed[0].data).to.deep.include({ by: "farmer", buyerBps: 8_000 });
  });

  it("takes the fee the escrow snapshotted when the DAO changed it between checkout and payment", async function () {
    const { bearer, body, wallet } = await escrowCheckout([1]);
    expect(body.orders[0]).to.deep.include({ feeBps: 250, feeMinor: 62 });
    const dao = await asTimelock(node.connection, deployment.timelock);
    await (await deployment.escrow.connect(dao).setFee(300)).wait();
    try {
      await payAsInstructed(body, wallet);
      expect(await indexAndLink()).to.deep.equal(linked({ paid: 1 }));
      const detail = await orderDetail(bearer, body.orders[0].id);
      expect(detail).to.deep.include({ status: "paid", feeBps: 300, feeMinor: 75 });
      expect(detail.escrow.onChain?.feeBps).to.equal(300);
      const corrected = detail.timeline.find((event) => event.kind === "fee_corrected");
      expect(corrected?.data).to.deep.include({ fromBps: 250, toBps: 300, fromMinor: 62, toMinor: 75 });
    } finally {
      await (await deployment.escrow.connect(dao).setFee(250)).wait();
      await syncToHead(sync);
    }
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
      const { bearer, body, wallet } = await escrowCheckout([2]);
      await payAsInstructed(body, wallet);
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
    const { bearer, body, wallet } = await escrowCheckout([0]);
    const snapshot = await chainRequest<string>(node.connection, "evm_snapshot");
    await payAsInstructed(body, wallet);
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

    await payAsInstructed(body, wallet);
    expect(await indexAndLink()).to.deep.equal(linked({ paid: 1 }));
    expectTimeline(await orderDetail(bearer, body.orders[0].id), ["paid"]);
  });

  it("keeps a cancelled order cancelled when a reorganization takes back the payment linked to it late", async function () {
    const { bearer, body, wallet } = await escrowCheckout([1]);
    const orderId = body.orders[0].id;
    expect((await cancel(bearer, orderId)).status).to.equal(200);
    const snapshot = await chainRequest<string>(node.connection, "evm_snapshot");
    await payAsInstructed(body, wallet);
    expect(await indexAndLink()).to.deep.equal(linked({ late: 1 }));

    await chainRequest(node.connection, "evm_revert", [snapshot]);
    await node.connection.networkHelpers.mine(5);
    await syncToHead(sync);
    expect(await linker.reconcileReorg(api.orm.em.fork())).to.equal(1);
    const reverted = await orderDetail(bearer, orderId);
    expect(reverted).to.deep.include({ status: "cancelled", paidAt: null, flags: [] });
    expect(reverted.escrow.orderId).to.equal(null);
  });

  // Last: it moves the chain's clock past every reservation made so far.
  it("credits the farm its share on delivery, which the farmer withdraws", async function () {
    const { bearer, body, wallet } = await escrowCheckout([0]);
    await payAsInstructed(body, wallet);
    await indexAndLink();
    const paid = await orderDetail(bearer, body.orders[0].id);
    const orderId = BigInt(paid.escrow.orderId!);
    const { escrow, usdc } = deployment;
    const token = await usdc.getAddress();
    const farmer = farmers[0];
    const creditBefore = await escrow.creditOf(farmer.address, token);

    await escrow.connect(farmer).markShipped(orderId);
    await (await escrow.connect(wallet).confirmDelivery(orderId)).wait();
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
    const { bearer, body, wallet } = await escrowCheckout([1]);
    await payAsInstructed(body, wallet);
    await indexAndLink();
    const orderId = BigInt((await orderDetail(bearer, body.orders[0].id)).escrow.orderId!);
    const { escrow, usdc } = deployment;
    const token = await usdc.getAddress();
    const terms = await escrow.currentTerms();
    await node.connection.networkHelpers.time.increase(Number(terms.shipWindow) + 1);

    const creditBefore = await escrow.creditOf(wallet.address, token);
    await (await escrow.connect(wallet).refundAfterTimeout(orderId)).wait();
    expect(await indexAndLink()).to.deep.equal(linked({ transitions: 1 }));
    const detail = await orderDetail(bearer, body.orders[0].id);
    expect(detail.status).to.equal("refunded");
    expectTimeline(detail, ["paid", "refunded"]);
    expect((await escrow.creditOf(wallet.address, token)) - creditBefore).to.equal(
      BigInt(body.escrow.orders[0].amount),
    );
  });

  it("links a payment mined after the reservation expired, ends the order, and lets the buyer reclaim it on the ship timeout", async function () {
    const { bearer, body, wallet, userId, productIds } = await escrowCheckout([1]);
    const orderId = body.orders[0].id;
    await node.connection.networkHelpers.time.increase(31 * 60);
    await payAsInstructed(body, wallet);
    expect(await indexAndLink()).to.deep.equal(linked({ late: 1 }));
    const late = await orderDetail(bearer, orderId);
    expect(late.status).to.equal("expired");
    expect(await stockOf(api.database.pool, productIds[0]), "its stock went back on sale").to.equal(10);
    expect(late.escrow.onChain?.state).to.equal("Funded");
    expect(late.flags.map((flag) => flag.kind)).to.deep.equal(["late_payment"]);
    expect(late.timeline.map((event) => event.kind)).to.have.members(["created", "expired", "paid_late"]);

    const terms = await deployment.escrow.currentTerms();
    await node.connection.networkHelpers.time.increase(Number(terms.shipWindow) + 1);
    await (await deployment.escrow.connect(wallet).refundAfterTimeout(BigInt(late.escrow.orderId!))).wait();
    expect(await indexAndLink()).to.deep.equal(linked({ transitions: 1 }));
    const refunded = await orderDetail(bearer, orderId);
    expect(refunded.status).to.equal("refunded");
    expect(refunded.timeline.map((event) => event.kind)).to.include("refunded");
    expect((await notificationsOf(userId, orderId)).map((row) => row.kind)).to.deep.equal([
      "payment_flagged",
      "refund",
    ]);
  });

  it("tells the buyer when the farm ships a paid-but-cancelled order and completes it after the confirm window", async function () {
    const { bearer, body, wallet, userId } = await escrowCheckout([2]);
    const orderId = body.orders[0].id;
    expect((await cancel(bearer, orderId)).status).to.equal(200);
    await payAsInstructed(body, wallet);
    await indexAndLink();
    const escrowOrderId = BigInt((await orderDetail(bearer, orderId)).escrow.orderId!);

    await (await deployment.escrow.connect(farmers[2]).markShipped(escrowOrderId)).wait();
    const terms = await deployment.escrow.currentTerms();
    await node.connection.networkHelpers.time.increase(Number(terms.confirmWindow) + 1);
    await (await deployment.escrow.connect(farmers[2]).completeAfterTimeout(escrowOrderId)).wait();
    expect(await indexAndLink()).to.deep.equal(linked({ transitions: 2 }));

    const detail = await orderDetail(bearer, orderId);
    expect(detail.status).to.equal("delivered");
    expect(detail.timeline.map((event) => event.kind)).to.include.members(["paid_late", "shipped", "delivered"]);
    const heard = await notificationsOf(userId, orderId);
    expect(heard.map((row) => row.kind)).to.deep.equal(["order_cancelled", "payment_flagged", "shipped", "delivered"]);
    expect(heard[3].data).to.deep.include({ autoConfirmed: true });
  });
});
