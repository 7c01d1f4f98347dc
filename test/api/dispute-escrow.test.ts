import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { HDNodeWallet } from "ethers";
import { pino } from "pino";

import { startEscrowLinkJob } from "../../api/src/escrow/escrow-link-job.js";
import { createEscrowOrderLinker } from "../../api/src/escrow/escrow-order-linker.js";
import type { EscrowOrderLinker } from "../../api/src/escrow/escrow-order-linker.js";
import { createIndexerAnnouncements } from "../../api/src/notifications/indexer-announcements.js";
import { createAnnouncer } from "../../indexer/src/announce.js";
import type { SyncDeps } from "../../indexer/src/sync.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { linkedBuyerWallet } from "../support/buyer-wallets.js";
import { insertFarm, insertProduct, insertUser, installIndexerSchema } from "../support/cart-fixtures.js";
import { inProcessSync } from "../support/indexer-setup.js";
import { deployLocal } from "../support/local-deployment.js";
import { startLocalNode } from "../support/local-node.js";
import { farmOwner, fillCart, setPayoutWallet } from "../support/order-fixtures.js";
import { syncToHead } from "../support/sync-harness.js";

type Deployment = Awaited<ReturnType<typeof deployLocal>>;
type LocalNode = Awaited<ReturnType<typeof startLocalNode>>;

interface CheckoutBody {
  orders: { id: string }[];
  escrow: {
    approval: { spender: string; amount: string };
    call: { to: string; data: string; value: string };
  };
}

interface WalletCall {
  chainId: number;
  to: string;
  data: string;
  value: string;
  from: string | null;
  functionName: string;
  args: { orderId: string; buyerBps?: number };
}

interface DisputeBody {
  id: string;
  status: string;
  resolvedAt: string | null;
  openedBy: { id: string; party: string };
  ruling: { buyerShareMinor: number; farmShareMinor: number; pending: boolean; chainTxHash: string | null } | null;
  order: { status: string };
}

interface Party {
  id: string;
  bearer: string;
}

describe("API disputes and notifications on the local chain", function () {
  this.timeout(120_000);

  let node: LocalNode;
  let deployment: Deployment;
  let api: ApiTestApp;
  let sync: SyncDeps;
  let linker: EscrowOrderLinker;
  let farms: string[];
  let farmers: HardhatEthersSigner[];
  /** The wallet of the latest buyer: each pays from one of its own, linked to its account. */
  let buyerWallet: HDNodeWallet;
  let arbiter: Party;
  let keyCounter = 0;

  before(async function () {
    node = await startLocalNode();
    deployment = await deployLocal(node.connection, { deploymentId: node.deploymentId });
    api = await startApiApp({
      env: {
        CHAIN_RPC_URL: node.url,
        ESCROW_ADDRESS: (await deployment.escrow.getAddress()).toLowerCase(),
        ESCROW_TOKEN_ADDRESS: (await deployment.usdc.getAddress()).toLowerCase(),
        ESCROW_TOKEN_DECIMALS: "6",
      },
    });
    await installIndexerSchema(api.database.pool);
    sync = await inProcessSync(api.database.pool, node.url, deployment, { confirmations: 12 });
    await syncToHead(sync);
    linker = createEscrowOrderLinker({
      chainId: 31337,
      tokenAddress: api.config.escrow.tokenAddress,
      notifications: api.live.notifications,
    });
    farmers = deployment.accounts.farmers;
    farms = [];
    for (const [index, farmer] of farmers.entries()) {
      const farm = await insertFarm(api.database.pool, `Dispute Chain Farm ${index}`);
      await setPayoutWallet(api.database.pool, farm, farmer.address);
      farms.push(farm);
    }
    const arbiterId = await insertUser(api.database.pool, ["arbiter"]);
    arbiter = { id: arbiterId, bearer: (await api.accessTokens.issue({ id: arbiterId, roles: ["arbiter"] })).token };
  });

  after(async function () {
    await api?.close();
    await node?.stop();
  });

  async function party(id: string, roles: ("buyer" | "farmer")[]): Promise<Party> {
    return { id, bearer: (await api.accessTokens.issue({ id, roles })).token };
  }

  /** An escrow checkout of one product (2 × 12.50 USD) from the farm, paid from the buyer's wallet as instructed. */
  async function paidEscrowOrder(farmIndex: number, options: { link?: boolean } = {}) {
    const buyer = await party(await insertUser(api.database.pool), ["buyer"]);
    buyerWallet = await linkedBuyerWallet(node.connection, api.database.pool, buyer.id);
    const farmer = await party(await farmOwner(api.database.pool, farms[farmIndex]), ["buyer", "farmer"]);
    const productId = await insertProduct(api.database.pool, farms[farmIndex], { priceMinor: 1_250, stock: 10 });
    await fillCart(api.database.pool, buyer.id, [{ productId, quantity: 2 }]);
    const response = await api.request("/api/checkout", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${buyer.bearer}`,
        "Content-Type": "application/json",
        "Idempotency-Key": `dispute-chain-${++keyCounter}`,
      },
      body: JSON.stringify({ paymentMethod: "escrow" }),
    });
    const body = (await response.json()) as CheckoutBody;
    expect(response.status, JSON.stringify(body)).to.equal(201);
    const amount = BigInt(body.escrow.approval.amount);
    await deployment.usdc.mint(buyerWallet.address, amount);
    await deployment.usdc.connect(buyerWallet).approve(body.escrow.approval.spender, amount);
    await send(buyerWallet, body.escrow.call);
    await syncToHead(sync);
    if (options.link !== false) await linker.linkOnce(api.orm.em.fork());
    return { orderId: body.orders[0].id, buyer, farmer };
  }

  async function send(wallet: HardhatEthersSigner | HDNodeWallet, call: { to: string; data: string; value: string }) {
    const sent = await wallet.sendTransaction({ to: call.to, data: call.data, value: BigInt(call.value) });
    const receipt = await sent.wait();
    return receipt!.hash;
  }

  /** Indexes the chain and runs the linker twice at once, as two API processes would. */
  async function indexAndLinkTwice() {
    await syncToHead(sync);
    const reports = await Promise.all([linker.linkOnce(api.orm.em.fork()), linker.linkOnce(api.orm.em.fork())]);
    await linker.linkOnce(api.orm.em.fork());
    return reports;
  }

  async function escrowOrderIdOf(orderId: string): Promise<bigint> {
    const { rows } = await api.database.pool.query<{ escrow_order_id: string }>(
      "SELECT escrow_order_id FROM orders WHERE id = $1",
      [orderId],
    );
    return BigInt(rows[0].escrow_order_id);
  }

  async function notificationsOf(userId: string, orderId: string) {
    const { rows } = await api.database.pool.query<{ kind: string; data: Record<string, unknown> }>(
      "SELECT kind, data FROM notifications WHERE user_id = $1 AND order_id = $2 ORDER BY id",
      [userId, orderId],
    );
    return rows;
  }

  async function request<T>(method: string, path: string, who: Party, body?: unknown) {
    const response = await api.request(path, {
      method,
      headers: {
        Authorization: `Bearer ${who.bearer}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async function orderOf(orderId: string, who: Party) {
    const { body } = await request<{ status: string; timeline: { kind: string }[] }>(
      "GET",
      `/api/orders/${orderId}`,
      who,
    );
    return body;
  }

  it("notifies payment, shipping and delivery exactly once, however many linkers run", async function () {
    const { orderId, buyer, farmer } = await paidEscrowOrder(0, { link: false });
    const [first, second] = await indexAndLinkTwice();
    expect(first.paid + second.paid).to.equal(1);
    expect(first.flagged + second.flagged, "the order's own payment is never taken for a late one").to.equal(0);
    const paid = await notificationsOf(buyer.id, orderId);
    expect(paid.map((row) => row.kind)).to.deep.equal(["order_paid"]);
    expect(paid[0].data).to.deep.include({ method: "escrow", totalMinor: 2_500, currency: "USD" });
    expect(await notificationsOf(farmer.id, orderId)).to.deep.equal([
      { kind: "new_order", data: { farmId: farms[0], totalMinor: 2_500, currency: "USD", itemCount: 1 } },
    ]);

    const escrowOrderId = await escrowOrderIdOf(orderId);
    await deployment.escrow.connect(farmers[0]).markShipped(escrowOrderId);
    await indexAndLinkTwice();
    await deployment.escrow.connect(buyerWallet).confirmDelivery(escrowOrderId);
    await indexAndLinkTwice();

    expect((await notificationsOf(buyer.id, orderId)).map((row) => row.kind)).to.deep.equal(["order_paid", "shipped"]);
    const farmerHeard = await notificationsOf(farmer.id, orderId);
    expect(farmerHeard.map((row) => row.kind)).to.deep.equal(["new_order", "delivered"]);
    expect(farmerHeard[1].data).to.deep.include({ autoConfirmed: false });
    expect((await orderOf(orderId, buyer)).status).to.equal("delivered");
  });

  it("records an escrow dispute, returns the openDispute call, and reflects it once the buyer's wallet sends it", async function () {
    const { orderId, buyer, farmer } = await paidEscrowOrder(1);
    const opened = await request<{ dispute: DisputeBody; escrowCall: WalletCall }>(
      "POST",
      `/api/orders/${orderId}/disputes`,
      buyer,
      { reason: "The potatoes were green" },
    );
    expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
    const { dispute, escrowCall } = opened.body;
    const escrowOrderId = await escrowOrderIdOf(orderId);
    expect(escrowCall).to.deep.include({
      chainId: 31337,
      to: (await deployment.escrow.getAddress()).toLowerCase(),
      from: buyerWallet.address.toLowerCase(),
      functionName: "openDispute",
      value: "0",
    });
    expect(escrowCall.args).to.deep.equal({ orderId: escrowOrderId.toString() });
    expect(dispute.order.status, "the escrow has not changed yet").to.equal("paid");

    const tooEarly = await request<{ error: { code: string } }>("POST", `/api/disputes/${dispute.id}/ruling`, arbiter, {
      buyerShareMinor: 1_250,
    });
    expect(tooEarly.status).to.equal(409);
    expect(tooEarly.body.error.code).to.equal("dispute_not_on_chain");

    await send(buyerWallet, escrowCall);
    await indexAndLinkTwice();
    expect((await deployment.escrow.getOrder(escrowOrderId)).state, "Disputed").to.equal(5n);
    const order = await orderOf(orderId, buyer);
    expect(order.status).to.equal("disputed");
    // API entries carry the server's clock and chain entries their block's, which runs ahead on a fast local chain:
    // their relative order is not asserted, only that each is there once.
    expect(order.timeline.map((event) => event.kind)).to.have.members([
      "created",
      "paid",
      "dispute_opened",
      "disputed",
    ]);
    const { rows } = await api.database.pool.query("SELECT id FROM disputes WHERE order_id = $1", [orderId]);
    expect(
      rows.map((row: { id: string }) => row.id),
      "the chain's event joins the recorded dispute",
    ).to.deep.equal([dispute.id]);
    expect((await notificationsOf(farmer.id, orderId)).map((row) => row.kind)).to.deep.equal([
      "new_order",
      "dispute_opened",
    ]);
  });

  it("returns the arbiter's rule call and settles the dispute once the arbiter's wallet sends it", async function () {
    const { orderId, buyer, farmer } = await paidEscrowOrder(2);
    const opened = await request<{ dispute: DisputeBody; escrowCall: WalletCall }>(
      "POST",
      `/api/orders/${orderId}/disputes`,
      farmer,
      { reason: "The buyer refuses a correct delivery" },
    );
    expect(opened.body.escrowCall.from).to.equal(farmers[2].address.toLowerCase());
    await send(farmers[2], opened.body.escrowCall);
    await indexAndLinkTwice();
    const disputeId = opened.body.dispute.id;

    const ruled = await request<{ dispute: DisputeBody; escrowCall: WalletCall; refund: unknown }>(
      "POST",
      `/api/disputes/${disputeId}/ruling`,
      arbiter,
      { buyerShareMinor: 1_000 },
    );
    expect(ruled.status, JSON.stringify(ruled.body)).to.equal(200);
    expect(ruled.body.refund).to.equal(null);
    expect(ruled.body.escrowCall).to.deep.include({ functionName: "rule", from: null });
    expect(ruled.body.escrowCall.args.buyerBps).to.equal(4_000);
    expect(ruled.body.dispute.status).to.equal("open");
    expect(ruled.body.dispute.ruling).to.deep.include({ buyerShareMinor: 1_000, farmShareMinor: 1_500, pending: true });

    const txHash = await send(deployment.accounts.arbiter, ruled.body.escrowCall);
    await indexAndLinkTwice();
    const settled = await request<DisputeBody>("GET", `/api/disputes/${disputeId}`, buyer);
    expect(settled.body.status).to.equal("ruled");
    expect(settled.body.resolvedAt).to.be.a("string");
    expect(settled.body.ruling).to.deep.include({
      buyerShareMinor: 1_000,
      farmShareMinor: 1_500,
      pending: false,
      chainTxHash: txHash,
    });
    expect(settled.body.order.status).to.equal("resolved");
    const timeline = (await orderOf(orderId, farmer)).timeline.map((event) => event.kind);
    expect(timeline).to.have.members(["created", "paid", "dispute_opened", "disputed", "dispute_ruling", "resolved"]);
    for (const who of [buyer, farmer]) {
      const resolved = (await notificationsOf(who.id, orderId)).filter((row) => row.kind === "dispute_resolved");
      expect(resolved).to.deep.equal([
        { kind: "dispute_resolved", data: { buyerMinor: 1_000, farmerMinor: 1_500, currency: "USD" } },
      ]);
    }
    const queue = await request<{ disputes: { id: string }[] }>("GET", "/api/arbiter/disputes", arbiter);
    expect(queue.body.disputes.map((dispute) => dispute.id)).not.to.include(disputeId);
  });

  it("records a dispute a party opened straight on-chain, and tells the other side", async function () {
    const { orderId, buyer, farmer } = await paidEscrowOrder(0);
    await deployment.escrow.connect(farmers[0]).openDispute(await escrowOrderIdOf(orderId));
    await indexAndLinkTwice();
    const { rows } = await api.database.pool.query<{ opened_by_id: string; reason: string; status: string }>(
      "SELECT opened_by_id, reason, status FROM disputes WHERE order_id = $1",
      [orderId],
    );
    expect(rows).to.deep.equal([{ opened_by_id: farmer.id, reason: "Disputed on-chain", status: "open" }]);
    expect((await notificationsOf(buyer.id, orderId)).map((row) => [row.kind, row.data.openedBy])).to.deep.equal([
      ["order_paid", undefined],
      ["dispute_opened", "farmer"],
    ]);
  });

  it("marks the dispute settled when the parties agree on-chain", async function () {
    const { orderId, buyer, farmer } = await paidEscrowOrder(1);
    const escrowOrderId = await escrowOrderIdOf(orderId);
    await deployment.escrow.connect(buyerWallet).openDispute(escrowOrderId);
    await deployment.escrow.connect(farmers[1]).proposeSettlement(escrowOrderId, 6_000);
    await deployment.escrow.connect(buyerWallet).acceptSettlement(escrowOrderId, 6_000);
    await indexAndLinkTwice();
    const { rows } = await api.database.pool.query<{ id: string }>("SELECT id FROM disputes WHERE order_id = $1", [
      orderId,
    ]);
    const settled = await request<DisputeBody>("GET", `/api/disputes/${rows[0].id}`, farmer);
    expect(settled.body.status).to.equal("settled");
    expect(settled.body.openedBy).to.deep.equal({ id: buyer.id, party: "buyer" });
    expect(settled.body.ruling).to.deep.include({ buyerShareMinor: 1_500, farmShareMinor: 1_000, pending: false });
    expect(settled.body.order.status).to.equal("resolved");
  });

  it("tells the buyer and admins about a payment it did not accept", async function () {
    const admin = await insertUser(api.database.pool, ["admin"]);
    const buyer = await party(await insertUser(api.database.pool), ["buyer"]);
    buyerWallet = await linkedBuyerWallet(node.connection, api.database.pool, buyer.id);
    const productId = await insertProduct(api.database.pool, farms[2], { priceMinor: 1_250, stock: 10 });
    await fillCart(api.database.pool, buyer.id, [{ productId, quantity: 1 }]);
    const response = await api.request("/api/checkout", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${buyer.bearer}`,
        "Content-Type": "application/json",
        "Idempotency-Key": `dispute-chain-${++keyCounter}`,
      },
      body: JSON.stringify({ paymentMethod: "escrow" }),
    });
    const body = (await response.json()) as {
      orders: { id: string }[];
      escrow: { orders: { ref: string; seller: string; amount: string }[] };
    };
    const [terms] = body.escrow.orders;
    const short = BigInt(terms.amount) - 1n;
    await deployment.usdc.mint(buyerWallet.address, short);
    await deployment.usdc.connect(buyerWallet).approve(await deployment.escrow.getAddress(), short);
    await deployment.escrow
      .connect(buyerWallet)
      .createOrder(terms.seller, await deployment.usdc.getAddress(), short, terms.ref);
    await indexAndLinkTwice();
    const flagged = { kind: "payment_flagged", data: { reason: "wrong_amount", method: "escrow" } };
    expect(await notificationsOf(buyer.id, body.orders[0].id)).to.deep.equal([flagged]);
    expect(await notificationsOf(admin, body.orders[0].id)).to.deep.equal([flagged]);
  });

  it("links on the indexer's announcements, and on the resync after its listener reconnects", async function () {
    const announcements = createIndexerAnnouncements({
      chainId: 31337,
      databaseUrl: api.config.databaseUrl,
      streams: api.live.streams,
      log: pino({ level: "silent" }),
    });
    await announcements.start();
    const job = startEscrowLinkJob({
      linker,
      fork: () => api.orm.em.fork(),
      pubSub: api.store.pubSub,
      announcements,
      chainId: 31337,
      // Far longer than the test: only announcements can trigger a run.
      intervalMs: 3_600_000,
      log: pino({ level: "silent" }),
    });
    const statusOf = async (orderId: string) => {
      const { rows } = await api.database.pool.query<{ status: string }>("SELECT status FROM orders WHERE id = $1", [
        orderId,
      ]);
      return rows[0].status;
    };
    const eventuallyPaid = async (orderId: string) => {
      for (let attempt = 0; attempt < 400 && (await statusOf(orderId)) !== "paid"; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return statusOf(orderId);
    };
    try {
      // Let the job's start-up run (it reconciles reorgs first) finish before paying.
      await job.runOnce();
      const announced = await paidEscrowOrder(1, { link: false });
      expect(await statusOf(announced.orderId)).to.equal("awaiting_payment");
      await createAnnouncer({ chainId: 31337, db: api.database.pool }).announce({
        type: "block",
        from: 1n,
        to: 2n,
        eventCount: 1,
        changes: { orderIds: [], proposalIds: [], accounts: [] },
      });
      expect(await eventuallyPaid(announced.orderId)).to.equal("paid");

      const missed = await paidEscrowOrder(2, { link: false });
      const { rowCount } = await api.database.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`,
      );
      expect(rowCount).to.equal(1);
      expect(await eventuallyPaid(missed.orderId), "the resync after reconnecting links what was missed").to.equal(
        "paid",
      );
    } finally {
      await job.stop();
      await announcements.stop();
    }
  });
});
