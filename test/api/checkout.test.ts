import { expect } from "chai";
import { pino } from "pino";
import { decodeFunctionData } from "viem";

import { marketplaceEscrowAbi } from "../../deploy/generated/contracts.js";
import { paymentInFlightGuardFor } from "../../api/src/services/payment-in-flight.js";
import { startReservationExpiryJob } from "../../api/src/services/reservation-expiry-job.js";
import { createLocalStripeServer } from "../../scripts/local-stripe/create-local-stripe-server.js";
import type { LocalStripeServer } from "../../scripts/local-stripe/create-local-stripe-server.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { linkWallet } from "../support/buyer-wallets.js";
import {
  insertEscrowTerms,
  insertFarm,
  insertProduct,
  insertUser,
  installIndexerSchema,
} from "../support/cart-fixtures.js";
import { fillCart, setPayoutWallet, stockOf } from "../support/order-fixtures.js";

const ESCROW = `0x${"e5".repeat(20)}`;
const TOKEN = `0x${"70".repeat(20)}`;
const WALLETS = [`0x${"a1".repeat(20)}`, `0x${"b2".repeat(20)}`, `0x${"c3".repeat(20)}`];

interface OrderBody {
  id: string;
  checkoutId: string;
  farm: { id: string };
  status: string;
  subtotalMinor: number;
  feeBps: number;
  feeMinor: number;
  totalMinor: number;
  escrow: { ref: string; seller: string; amount: string } | null;
  items: { productId: string; name: string; unitPriceMinor: number; quantity: number; lineTotalMinor: number }[];
  timeline?: { kind: string }[];
}

interface EscrowCallBody {
  functionName: string;
  to: string;
  data: `0x${string}`;
  value: string;
  args: Record<string, unknown>;
}

interface CheckoutBody {
  checkoutId: string;
  paymentMethod: string;
  totalMinor: number;
  feeMinor: number;
  expiresAt: string;
  orders: OrderBody[];
  escrow?: {
    escrowAddress: string;
    token: { address: string; decimals: number };
    approval: { spender: string; amount: string };
    deadline: string;
    payers: string[];
    orders: { orderId: string; ref: string; seller: string; amount: string }[];
    call: EscrowCallBody;
  };
  card?: { redirectUrl: string | null };
}

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

describe("API checkout and orders", function () {
  let api: ApiTestApp;
  let stripe: LocalStripeServer;
  let farms: string[];
  let keyCounter = 0;

  before(async function () {
    stripe = await createLocalStripeServer();
    api = await startApiApp({
      store: "redis",
      env: {
        ESCROW_ADDRESS: ESCROW,
        ESCROW_TOKEN_ADDRESS: TOKEN,
        ESCROW_TOKEN_DECIMALS: "6",
        STRIPE_SECRET_KEY: "sk_test_checkout",
        STRIPE_API_URL: stripe.url,
      },
      rateLimitPolicies: { default: { limit: 100_000, windowMs: 60_000 } },
    });
    await installIndexerSchema(api.database.pool);
    await insertEscrowTerms(api.database.pool, { chainId: 31337, firstOrderId: 0, feeBps: 250 });
    farms = [];
    for (const [index, name] of ["Padma Greens", "Jamuna Dairy", "Meghna Fish"].entries()) {
      const farm = await insertFarm(api.database.pool, name);
      await setPayoutWallet(api.database.pool, farm, WALLETS[index]);
      farms.push(farm);
    }
  });

  after(async function () {
    await api?.close();
    await stripe?.close();
  });

  async function signedIn(roles: string[] = ["buyer"], id?: string): Promise<{ id: string; bearer: string }> {
    const userId = id ?? (await insertUser(api.database.pool, roles));
    const { token } = await api.accessTokens.issue({ id: userId, roles: roles as ("buyer" | "farmer")[] });
    return { id: userId, bearer: token };
  }

  const newKey = () => `test-key-${process.pid}-${++keyCounter}`;

  /** `key` null sends no Idempotency-Key. */
  function checkout(bearer: string | undefined, body: unknown, key: string | null = newKey()) {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (bearer !== undefined) headers.Authorization = `Bearer ${bearer}`;
    if (key !== null) headers["Idempotency-Key"] = key;
    return api.request("/api/checkout", { method: "POST", headers, body: JSON.stringify(body) });
  }

  function call(path: string, bearer?: string, method = "GET") {
    return api.request(path, {
      method,
      headers: bearer === undefined ? {} : { Authorization: `Bearer ${bearer}` },
    });
  }

  async function expectError(response: Response, status: number, code: string): Promise<ErrorBody["error"]> {
    const body = (await response.json()) as ErrorBody;
    expect(response.status, JSON.stringify(body)).to.equal(status);
    expect(body.error.code).to.equal(code);
    return body.error;
  }

  async function expectCheckout(response: Response): Promise<CheckoutBody> {
    const body = (await response.json()) as CheckoutBody;
    expect(response.status, JSON.stringify(body)).to.equal(201);
    return body;
  }

  async function count(table: string, where = "true", params: unknown[] = []): Promise<number> {
    const { rows } = await api.database.pool.query<{ count: string }>(
      `SELECT count(*) FROM ${table} WHERE ${where}`,
      params,
    );
    return Number(rows[0].count);
  }

  async function cartLines(userId: string): Promise<number> {
    return count("cart_items i JOIN carts c ON c.id = i.cart_id", "c.user_id = $1", [userId]);
  }

  describe("POST /api/checkout", function () {
    it("turns a cart of three farms into three escrow orders sharing one checkout, with the batch call to send", async function () {
      const buyer = await signedIn();
      const payer = `0x${"b0".repeat(20)}`;
      await linkWallet(api.database.pool, buyer.id, payer);
      const products = [
        await insertProduct(api.database.pool, farms[0], { priceMinor: 450, stock: 10 }),
        await insertProduct(api.database.pool, farms[0], { priceMinor: 199, stock: 5 }),
        await insertProduct(api.database.pool, farms[1], { priceMinor: 1_000, stock: 3 }),
        await insertProduct(api.database.pool, farms[2], { priceMinor: 333, stock: 7 }),
      ];
      await fillCart(api.database.pool, buyer.id, [
        { productId: products[0], quantity: 2 },
        { productId: products[1], quantity: 1 },
        { productId: products[2], quantity: 3 },
        { productId: products[3], quantity: 7 },
      ]);

      const body = await expectCheckout(await checkout(buyer.bearer, { paymentMethod: "escrow" }));

      expect(body.paymentMethod).to.equal("escrow");
      expect(body.orders.map((order) => order.farm.id)).to.deep.equal(farms);
      expect(new Set(body.orders.map((order) => order.checkoutId))).to.deep.equal(new Set([body.checkoutId]));
      // 2 × 450 + 199 = 1099; 3 × 1000 = 3000; 7 × 333 = 2331. Fee: floor(x × 250 / 10000), taken from the farm.
      expect(body.orders.map((order) => [order.subtotalMinor, order.feeMinor, order.totalMinor])).to.deep.equal([
        [1_099, 27, 1_099],
        [3_000, 75, 3_000],
        [2_331, 58, 2_331],
      ]);
      expect(body.orders.every((order) => order.status === "awaiting_payment" && order.feeBps === 250)).to.equal(true);
      expect(body.totalMinor).to.equal(6_430);
      expect(body.feeMinor).to.equal(160);
      const items = body.orders[0].items;
      // Items are listed by name (the fixtures' names are random).
      expect(items.map((item) => item.name)).to.deep.equal(items.map((item) => item.name).toSorted());
      expect(
        items.map((item) => [item.unitPriceMinor, item.quantity, item.lineTotalMinor]).toSorted((a, b) => b[0] - a[0]),
      ).to.deep.equal([
        [450, 2, 900],
        [199, 1, 199],
      ]);

      const escrow = body.escrow!;
      expect(escrow.escrowAddress).to.equal(ESCROW);
      expect(escrow.token).to.deep.equal({ address: TOKEN, decimals: 6 });
      // At par: one US cent is 10^4 units of a 6-decimal stablecoin.
      expect(escrow.orders.map((order) => [order.orderId, order.seller, order.amount])).to.deep.equal([
        [body.orders[0].id, WALLETS[0], "10990000"],
        [body.orders[1].id, WALLETS[1], "30000000"],
        [body.orders[2].id, WALLETS[2], "23310000"],
      ]);
      expect(escrow.approval).to.deep.equal({ spender: ESCROW, amount: "64300000" });
      expect(escrow.deadline).to.equal(body.expiresAt);
      expect(escrow.payers, "only the buyer's linked wallets may pay").to.deep.equal([payer]);
      expect(new Set(escrow.orders.map((order) => order.ref)).size).to.equal(3);
      expect(escrow.call).to.include({ functionName: "createOrders", to: ESCROW, value: "0" });
      const decoded = decodeFunctionData({ abi: marketplaceEscrowAbi, data: escrow.call.data });
      expect(decoded.functionName).to.equal("createOrders");
      const [decodedToken, decodedRequests] = decoded.args as readonly [string, readonly Record<string, unknown>[]];
      expect(decodedToken.toLowerCase()).to.equal(TOKEN);
      expect(
        decodedRequests.map((request) => ({ ...request, seller: String(request.seller).toLowerCase() })),
      ).to.deep.equal(
        escrow.orders.map((order) => ({ seller: order.seller, amount: BigInt(order.amount), ref: order.ref })),
      );
      expect(escrow.call.args).to.deep.equal({
        token: TOKEN,
        requests: escrow.orders.map(({ seller, amount, ref }) => ({ seller, amount, ref })),
      });

      expect(await Promise.all(products.map((id) => stockOf(api.database.pool, id)))).to.deep.equal([8, 4, 0, 0]);
      expect(
        await count("stock_changes", "reason = 'reserved' AND product_id = ANY($1) AND actor_id = $2", [
          products,
          buyer.id,
        ]),
      ).to.equal(4);
      expect(await cartLines(buyer.id)).to.equal(0);
    });

    it("asks for createOrder when the cart holds one farm's products", async function () {
      const buyer = await signedIn();
      const product = await insertProduct(api.database.pool, farms[1], { priceMinor: 250, stock: 4 });
      await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity: 4 }]);
      const body = await expectCheckout(await checkout(buyer.bearer, { paymentMethod: "escrow" }));
      const { call: escrowCall, orders } = body.escrow!;
      expect(escrowCall.functionName).to.equal("createOrder");
      const decoded = decodeFunctionData({ abi: marketplaceEscrowAbi, data: escrowCall.data });
      expect(decoded.functionName).to.equal("createOrder");
      const [seller, token, amount, ref] = decoded.args as readonly [string, string, bigint, string];
      expect([seller.toLowerCase(), token.toLowerCase(), amount.toString(), ref]).to.deep.equal([
        WALLETS[1],
        TOKEN,
        "10000000",
        orders[0].ref,
      ]);
      expect(escrowCall.args).to.deep.equal({
        seller: WALLETS[1],
        token: TOKEN,
        amount: "10000000",
        ref: orders[0].ref,
      });
    });

    it("creates card orders awaiting payment, with the Stripe Checkout page to pay them on", async function () {
      const buyer = await signedIn();
      const product = await insertProduct(api.database.pool, farms[2], { priceMinor: 700, stock: 2 });
      await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity: 2 }]);
      const body = await expectCheckout(await checkout(buyer.bearer, { paymentMethod: "card" }));
      expect(body.paymentMethod).to.equal("card");
      expect(body.card?.redirectUrl).to.match(new RegExp(`^${stripe.url}/pay/cs_`));
      expect(body).not.to.have.property("escrow");
      expect(body.orders).to.have.length(1);
      expect(body.orders[0]).to.include({ status: "awaiting_payment", totalMinor: 1_400, escrow: null });
    });

    it("replays a repeated key with the same status and body, and creates nothing", async function () {
      const buyer = await signedIn();
      const product = await insertProduct(api.database.pool, farms[0], { priceMinor: 100, stock: 9 });
      await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity: 3 }]);
      const key = newKey();
      const first = await checkout(buyer.bearer, { paymentMethod: "escrow" }, key);
      const firstBody = await expectCheckout(first);
      expect(first.headers.get("idempotent-replayed")).to.equal(null);

      const again = await checkout(buyer.bearer, { paymentMethod: "escrow" }, key);
      expect(again.headers.get("idempotent-replayed")).to.equal("true");
      expect(await expectCheckout(again)).to.deep.equal(firstBody);
      expect(await count("checkouts", "buyer_id = $1", [buyer.id])).to.equal(1);
      expect(await count("orders", "buyer_id = $1", [buyer.id])).to.equal(1);
      expect(await stockOf(api.database.pool, product)).to.equal(6);

      const other = await expectError(
        await checkout(buyer.bearer, { paymentMethod: "card" }, key),
        422,
        "idempotency_key_reused",
      );
      expect(other.details).to.deep.equal({ checkoutId: firstBody.checkoutId });
      expect(await count("checkouts", "buyer_id = $1", [buyer.id])).to.equal(1);
    });

    it("creates one checkout for concurrent repeats of one key", async function () {
      const buyer = await signedIn();
      const product = await insertProduct(api.database.pool, farms[0], { priceMinor: 100, stock: 9 });
      await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity: 2 }]);
      const key = newKey();
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => checkout(buyer.bearer, { paymentMethod: "card" }, key)),
      );
      const bodies = await Promise.all(responses.map(expectCheckout));
      expect(new Set(bodies.map((body) => body.checkoutId)).size).to.equal(1);
      expect(await count("checkouts", "buyer_id = $1", [buyer.id])).to.equal(1);
      expect(await stockOf(api.database.pool, product)).to.equal(7);
    });

    it("requires a valid Idempotency-Key and a known payment method", async function () {
      const buyer = await signedIn();
      const missing = await expectError(
        await checkout(buyer.bearer, { paymentMethod: "card" }, null),
        400,
        "validation_failed",
      );
      expect(missing.details).to.deep.equal({
        issues: [{ path: "headers.idempotency-key", message: "the Idempotency-Key header is required" }],
      });
      await expectError(
        await checkout(buyer.bearer, { paymentMethod: "card" }, "x".repeat(256)),
        400,
        "validation_failed",
      );
      const bad = await expectError(
        await checkout(buyer.bearer, { paymentMethod: "bitcoin" }),
        400,
        "validation_failed",
      );
      expect(JSON.stringify(bad.details)).to.contain("body.paymentMethod");
      await expectError(await checkout(buyer.bearer, {}), 400, "validation_failed");
    });

    it("refuses ETH with the reason: no price feed is configured", async function () {
      const buyer = await signedIn();
      const error = await expectError(
        await checkout(buyer.bearer, { paymentMethod: "eth" }),
        422,
        "payment_method_unavailable",
      );
      expect(error.message).to.match(/price feed/);
      expect(error.message).to.contain("ETH_PRICE_FEED_ADDRESS");
      expect(error.details).to.deep.equal({ paymentMethod: "eth" });
    });

    it("refuses an empty cart with 422", async function () {
      const buyer = await signedIn();
      await expectError(await checkout(buyer.bearer, { paymentMethod: "card" }), 422, "cart_empty");
      expect(await count("checkouts", "buyer_id = $1", [buyer.id])).to.equal(0);
    });

    it("reserves nothing and lists every short line when the stock does not cover the cart", async function () {
      const buyer = await signedIn();
      const plenty = await insertProduct(api.database.pool, farms[0], { priceMinor: 100, stock: 50 });
      const short = await insertProduct(api.database.pool, farms[1], { name: "Ghee", priceMinor: 900, stock: 2 });
      await fillCart(api.database.pool, buyer.id, [
        { productId: plenty, quantity: 5 },
        { productId: short, quantity: 2 },
      ]);
      await api.database.pool.query("UPDATE products SET stock = 1 WHERE id = $1", [short]);
      const error = await expectError(
        await checkout(buyer.bearer, { paymentMethod: "card" }),
        409,
        "insufficient_stock",
      );
      expect(error.details).to.deep.equal({ lines: [{ productId: short, name: "Ghee", requested: 2, available: 1 }] });
      expect(await stockOf(api.database.pool, plenty)).to.equal(50);
      expect(await count("orders", "buyer_id = $1", [buyer.id])).to.equal(0);
      expect(await count("stock_changes", "product_id = $1 AND reason = 'reserved'", [plenty])).to.equal(0);
      expect(await cartLines(buyer.id)).to.equal(2);
    });

    it("refuses a cart holding an archived product with 409", async function () {
      const buyer = await signedIn();
      const product = await insertProduct(api.database.pool, farms[0], { priceMinor: 100, stock: 5 });
      await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity: 1 }]);
      await api.database.pool.query("UPDATE products SET status = 'archived' WHERE id = $1", [product]);
      const error = await expectError(
        await checkout(buyer.bearer, { paymentMethod: "card" }),
        409,
        "product_not_on_sale",
      );
      expect(error.details).to.deep.equal({ productId: product, status: "archived" });
      expect(await stockOf(api.database.pool, product)).to.equal(5);
    });

    it("refuses escrow for a farm without a payout wallet, which card can still pay", async function () {
      const farm = await insertFarm(api.database.pool, "Walletless Farm");
      const buyer = await signedIn();
      const product = await insertProduct(api.database.pool, farm, { priceMinor: 100, stock: 5 });
      await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity: 1 }]);
      await expectError(await checkout(buyer.bearer, { paymentMethod: "escrow" }), 409, "farm_payout_wallet_missing");
      await expectCheckout(await checkout(buyer.bearer, { paymentMethod: "card" }));
    });

    it("requires a signed-in user", async function () {
      await expectError(await checkout(undefined, { paymentMethod: "card" }), 401, "unauthorized");
    });

    it("sells exactly the stock to 200 concurrent buyers of a product with 20 units", async function () {
      this.timeout(120_000);
      const product = await insertProduct(api.database.pool, farms[2], {
        name: "Last mangoes",
        priceMinor: 500,
        stock: 20,
      });
      const buyers = await Promise.all(Array.from({ length: 200 }, () => signedIn()));
      for (const buyer of buyers) await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity: 1 }]);

      const responses = await Promise.all(buyers.map((buyer) => checkout(buyer.bearer, { paymentMethod: "card" })));
      const bodies = await Promise.all(
        responses.map(async (response) => [response.status, await response.json()] as const),
      );
      const succeeded = bodies.filter(([status]) => status === 201);
      const failed = bodies.filter(([status]) => status !== 201);
      expect(succeeded).to.have.length(20);
      expect(failed).to.have.length(180);
      for (const [status, body] of failed) {
        expect(status).to.equal(409);
        expect((body as ErrorBody).error.code).to.equal("insufficient_stock");
        expect((body as ErrorBody).error.details).to.deep.equal({
          lines: [{ productId: product, name: "Last mangoes", requested: 1, available: 0 }],
        });
      }
      expect(await stockOf(api.database.pool, product)).to.equal(0);
      const { rows } = await api.database.pool.query<{ min: number; total: string }>(
        "SELECT min(stock_after) AS min, sum(delta) AS total FROM stock_changes WHERE product_id = $1 AND reason = 'reserved'",
        [product],
      );
      expect(rows[0]).to.deep.equal({ min: 0, total: "-20" });
      expect(await count("orders o JOIN order_items i ON i.order_id = o.id", "i.product_id = $1", [product])).to.equal(
        20,
      );
    });
  });

  describe("orders", function () {
    async function placeOrder(options: { farm?: string; stock?: number; quantity?: number } = {}) {
      const buyer = await signedIn();
      const product = await insertProduct(api.database.pool, options.farm ?? farms[0], {
        priceMinor: 250,
        stock: options.stock ?? 10,
      });
      await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity: options.quantity ?? 4 }]);
      const body = await expectCheckout(await checkout(buyer.bearer, { paymentMethod: "escrow" }));
      return { buyer, product, order: body.orders[0] };
    }

    it("shows an order to its buyer, its farm's farmer, arbiters and admins, and to nobody else", async function () {
      const { buyer, order } = await placeOrder();
      const { rows } = await api.database.pool.query<{ owner_id: string }>("SELECT owner_id FROM farms WHERE id = $1", [
        farms[0],
      ]);
      const farmer = await signedIn(["buyer", "farmer"], rows[0].owner_id);
      const arbiter = await signedIn(["arbiter"]);
      const admin = await signedIn(["admin"]);
      for (const viewer of [buyer, farmer, arbiter, admin]) {
        const response = await call(`/api/orders/${order.id}`, viewer.bearer);
        expect(response.status).to.equal(200);
        const body = (await response.json()) as OrderBody & { flags: unknown[] };
        expect(body.id).to.equal(order.id);
        expect(body.items).to.have.length(1);
        expect(body.flags).to.deep.equal([]);
        expect(body.timeline!.map((event) => event.kind)).to.deep.equal(["created"]);
      }
      const stranger = await signedIn();
      const otherFarmer = await signedIn(["buyer", "farmer"]);
      await expectError(await call(`/api/orders/${order.id}`, stranger.bearer), 404, "not_found");
      await expectError(await call(`/api/orders/${order.id}`, otherFarmer.bearer), 404, "not_found");
      await expectError(await call(`/api/orders/${order.id}`), 401, "unauthorized");
      await expectError(await call("/api/orders/not-a-uuid", buyer.bearer), 400, "validation_failed");
    });

    it("lists the buyer's own orders newest first, in cursor pages", async function () {
      const buyer = await signedIn();
      const ids: string[] = [];
      for (const farm of farms) {
        const product = await insertProduct(api.database.pool, farm, { priceMinor: 100, stock: 5 });
        await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity: 1 }]);
        ids.push((await expectCheckout(await checkout(buyer.bearer, { paymentMethod: "card" }))).orders[0].id);
      }
      const first = (await (await call("/api/orders?limit=2", buyer.bearer)).json()) as {
        orders: OrderBody[];
        nextCursor: string | null;
      };
      expect(first.orders.map((order) => order.id)).to.deep.equal([ids[2], ids[1]]);
      const second = (await (await call(`/api/orders?limit=2&cursor=${first.nextCursor}`, buyer.bearer)).json()) as {
        orders: OrderBody[];
        nextCursor: string | null;
      };
      expect(second.orders.map((order) => order.id)).to.deep.equal([ids[0]]);
      expect(second.nextCursor).to.equal(null);
      await expectError(await call("/api/orders?cursor=garbage", buyer.bearer), 400, "validation_failed");
      await expectError(await call("/api/orders?limit=0", buyer.bearer), 400, "validation_failed");
      await expectError(await call("/api/orders"), 401, "unauthorized");
    });

    it("lists a farm's incoming orders for its farmer only", async function () {
      const farm = await insertFarm(api.database.pool, "Teesta Honey");
      await setPayoutWallet(api.database.pool, farm, `0x${"d4".repeat(20)}`);
      const { order } = await placeOrder({ farm });
      const { rows } = await api.database.pool.query<{ owner_id: string }>("SELECT owner_id FROM farms WHERE id = $1", [
        farm,
      ]);
      const farmer = await signedIn(["buyer", "farmer"], rows[0].owner_id);
      const body = (await (await call("/api/farmer/orders", farmer.bearer)).json()) as { orders: OrderBody[] };
      expect(body.orders.map((listed) => listed.id)).to.deep.equal([order.id]);
      const buyer = await signedIn();
      await expectError(await call("/api/farmer/orders", buyer.bearer), 403, "forbidden");
      await expectError(await call("/api/farmer/orders"), 401, "unauthorized");
      const farmless = await signedIn(["buyer", "farmer"]);
      expect(await (await call("/api/farmer/orders", farmless.bearer)).json()).to.deep.equal({
        orders: [],
        nextCursor: null,
      });
    });

    it("lets the buyer cancel an unpaid order, returning its stock, once", async function () {
      const { buyer, product, order } = await placeOrder({ stock: 10, quantity: 4 });
      expect(await stockOf(api.database.pool, product)).to.equal(6);
      const stranger = await signedIn();
      await expectError(await call(`/api/orders/${order.id}/cancel`, stranger.bearer, "POST"), 404, "not_found");
      await expectError(await call(`/api/orders/${order.id}/cancel`, undefined, "POST"), 401, "unauthorized");

      const response = await call(`/api/orders/${order.id}/cancel`, buyer.bearer, "POST");
      expect(response.status).to.equal(200);
      const body = (await response.json()) as OrderBody;
      expect(body.status).to.equal("cancelled");
      expect(body.timeline!.map((event) => event.kind)).to.deep.equal(["created", "cancelled"]);
      expect(await stockOf(api.database.pool, product)).to.equal(10);
      expect(await count("stock_changes", "product_id = $1 AND reason = 'released' AND delta = 4", [product])).to.equal(
        1,
      );

      await expectError(
        await call(`/api/orders/${order.id}/cancel`, buyer.bearer, "POST"),
        409,
        "order_not_cancellable",
      );
      expect(await stockOf(api.database.pool, product)).to.equal(10);
    });

    it("expires unpaid orders past their reservation and returns their stock", async function () {
      const { product, order } = await placeOrder({ stock: 8, quantity: 3 });
      const { order: paidLater } = await placeOrder({ stock: 8, quantity: 1 });
      await api.database.pool.query("UPDATE orders SET status = 'paid' WHERE id = $1", [paidLater.id]);
      expect(await stockOf(api.database.pool, product)).to.equal(5);
      const job = startReservationExpiryJob({
        fork: () => api.orm.em.fork(),
        notifications: api.live.notifications,
        paymentInFlight: paymentInFlightGuardFor(api.config),
        intervalMs: 60_000,
        log: pino({ level: "silent" }),
        onStockChanged: () => Promise.resolve(),
        schedule: false,
        now: () => new Date(Date.now() + 31 * 60_000),
      });
      const expired = await job.runOnce();
      await job.stop();
      expect(expired).to.be.greaterThan(0);
      expect(await stockOf(api.database.pool, product)).to.equal(8);
      const { rows } = await api.database.pool.query<{ id: string; status: string }>(
        "SELECT id, status FROM orders WHERE id = ANY($1)",
        [[order.id, paidLater.id]],
      );
      expect(Object.fromEntries(rows.map((row) => [row.id, row.status]))).to.deep.equal({
        [order.id]: "expired",
        [paidLater.id]: "paid",
      });
      expect(await count("order_events", "order_id = $1 AND kind = 'expired'", [order.id])).to.equal(1);
      expect(await count("stock_changes", "product_id = $1 AND reason = 'released'", [product])).to.equal(1);
    });
  });
});
