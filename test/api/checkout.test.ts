import { expect } from "chai";
import { pino } from "pino";
import { decodeFunctionData } from "viem";

import { paymentInFlightGuardFor } from "../../api/src/checkout/payment-in-flight-guard.js";
import { startReservationExpiryJob } from "../../api/src/checkout/reservation-expiry-job.js";
import { marketplaceEscrowAbi } from "../../protocol/generated/contracts.js";
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
        await insertProduct(api.database.pool, farms[1], { priceMinor: 1_000, stock: 6 }),
        await insertProduct(api.database.pool, farms[2], { priceMinor: 333, stock: 14 }),
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

      expect(await Promise.all(products.map((id) => stockOf(api.database.pool, id)))).to.deep.equal([8, 4, 3, 7]);
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
      const product = await insertProduct(api.database.pool, farms[1], { priceMinor: 250, stock: 8 });
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
      const product = await insertProduct(api.database.pool, farms[2], { priceMinor: 700, stock: 4 });
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

    it("refuses a buyer a sixth checkout awaiting payment, naming the five, until one is paid or cancelled", async function () {
      const buyer = await signedIn();
      const product = await insertProduct(api.database.pool, farms[0], { priceMinor: 100, stock: 50 });
      const other = await insertProduct(api.database.pool, farms[1], { priceMinor: 100, stock: 50 });
      const made: CheckoutBody[] = [];
      // The first checkout holds two farms' orders: checkouts are counted, not orders.
      await fillCart(api.database.pool, buyer.id, [
        { productId: product, quantity: 1 },
        { productId: other, quantity: 1 },
      ]);
      made.push(await expectCheckout(await checkout(buyer.bearer, { paymentMethod: "escrow" }, "cap-0")));
      for (let index = 1; index < 5; index++) {
        await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity: 1 }]);
        made.push(await expectCheckout(await checkout(buyer.bearer, { paymentMethod: "escrow" })));
      }
      expect(made[0].orders).to.have.length(2);

      await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity: 1 }]);
      const refused = await expectError(
        await checkout(buyer.bearer, { paymentMethod: "escrow" }),
        409,
        "too_many_open_checkouts",
      );
      expect(refused.message).to.match(/pay or cancel/);
      expect(refused.details).to.deep.equal({
        limit: 5,
        openCheckoutIds: made.map((body) => body.checkoutId).toSorted(),
      });
      expect(await stockOf(api.database.pool, product)).to.equal(45);
      expect(await count("checkouts", "buyer_id = $1", [buyer.id])).to.equal(5);
      expect(await cartLines(buyer.id)).to.equal(1);
      // A repeat of a key already used is still answered: it creates nothing.
      const replay = await checkout(buyer.bearer, { paymentMethod: "escrow" }, "cap-0");
      expect(replay.headers.get("idempotent-replayed")).to.equal("true");

      // Cancelling one of the first checkout's orders leaves it open; paying another checkout frees a place.
      expect((await call(`/api/orders/${made[0].orders[0].id}/cancel`, buyer.bearer, "POST")).status).to.equal(200);
      await expectError(await checkout(buyer.bearer, { paymentMethod: "escrow" }), 409, "too_many_open_checkouts");
      await api.database.pool.query("UPDATE orders SET status = 'paid' WHERE checkout_id = $1", [made[1].checkoutId]);
      await expectCheckout(await checkout(buyer.bearer, { paymentMethod: "escrow" }));
      expect(await stockOf(api.database.pool, product)).to.equal(45);
    });

    it("lets one buyer hold unpaid at most half of a product's units, at least one, counting what they hold", async function () {
      const [buyer, other] = [await signedIn(), await signedIn()];
      const product = await insertProduct(api.database.pool, farms[2], { name: "Hilsa", priceMinor: 100, stock: 10 });
      const single = await insertProduct(api.database.pool, farms[2], { priceMinor: 100, stock: 1 });
      const pay = (body: CheckoutBody) =>
        api.database.pool.query("UPDATE orders SET status = 'paid' WHERE checkout_id = $1", [body.checkoutId]);

      await fillCart(api.database.pool, buyer.id, [
        { productId: product, quantity: 6 },
        { productId: single, quantity: 1 },
      ]);
      const whole = await expectError(
        await checkout(buyer.bearer, { paymentMethod: "escrow" }),
        409,
        "stock_share_exceeded",
      );
      expect(whole.message).to.match(/50%/);
      expect(whole.details).to.deep.equal({
        maxSharePercent: 50,
        lines: [{ productId: product, name: "Hilsa", requested: 6, held: 0, allowed: 5 }],
      });
      expect(await stockOf(api.database.pool, product)).to.equal(10);
      expect(await stockOf(api.database.pool, single)).to.equal(1);
      expect(await count("orders", "buyer_id = $1", [buyer.id])).to.equal(0);
      expect(await cartLines(buyer.id)).to.equal(2);

      // Half, and the last unit of a product with one: both fine.
      await fillCart(api.database.pool, buyer.id, [
        { productId: product, quantity: 5 },
        { productId: single, quantity: 1 },
      ]);
      const first = await expectCheckout(await checkout(buyer.bearer, { paymentMethod: "escrow" }));
      expect(await stockOf(api.database.pool, product)).to.equal(5);
      await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity: 1 }]);
      const more = await expectError(
        await checkout(buyer.bearer, { paymentMethod: "escrow" }),
        409,
        "stock_share_exceeded",
      );
      expect(more.details).to.deep.include({
        lines: [{ productId: product, name: "Hilsa", requested: 1, held: 5, allowed: 5 }],
      });

      // Another account gets half of what is left; once the first buyer pays, their units no longer count.
      await fillCart(api.database.pool, other.id, [{ productId: product, quantity: 2 }]);
      await expectCheckout(await checkout(other.bearer, { paymentMethod: "escrow" }));
      await pay(first);
      await expectCheckout(await checkout(buyer.bearer, { paymentMethod: "escrow" }));
      expect(await stockOf(api.database.pool, product)).to.equal(2);
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

  describe("stock on hand and available", function () {
    interface Levels {
      productId: string;
      onHand: number;
      available: number;
      held: number;
      awaitingShipment: number;
      shortfall: number;
    }

    let farmer: { id: string; bearer: string };

    before(async function () {
      const { rows } = await api.database.pool.query<{ owner_id: string }>("SELECT owner_id FROM farms WHERE id = $1", [
        farms[1],
      ]);
      farmer = await signedIn(["buyer", "farmer"], rows[0].owner_id);
    });

    async function reserve(product: string, quantity: number): Promise<OrderBody> {
      const buyer = await signedIn();
      await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity }]);
      return (await expectCheckout(await checkout(buyer.bearer, { paymentMethod: "escrow" }))).orders[0];
    }

    /**
     * Reserves `total` units through as many buyers as the per-account share allows (each takes what it may of
     * what is left), as a busy shop's buyers would; their orders.
     */
    async function reserveAll(product: string, total: number, available = total): Promise<OrderBody[]> {
      const orders: OrderBody[] = [];
      for (let left = total; left > 0;) {
        const quantity = Math.min(left, Math.max(1, Math.floor((available - (total - left)) / 2)));
        orders.push(await reserve(product, quantity));
        left -= quantity;
      }
      return orders;
    }

    async function levels(product: string): Promise<Levels> {
      const response = await call(`/api/products/${product}/stock`, farmer.bearer);
      expect(response.status).to.equal(200);
      expect(response.headers.get("cache-control")).to.equal("private, no-store");
      return (await response.json()) as Levels;
    }

    async function count(product: string, onHand: number): Promise<Levels> {
      const response = await api.request(`/api/products/${product}/stock`, {
        method: "POST",
        headers: { Authorization: `Bearer ${farmer.bearer}`, "Content-Type": "application/json" },
        body: JSON.stringify({ reason: "correction", stock: onHand, note: "counted the crates" }),
      });
      const body = (await response.json()) as { stock: number; levels: Levels };
      expect(response.status, JSON.stringify(body)).to.equal(200);
      expect(body.stock).to.equal(body.levels.available);
      return body.levels;
    }

    async function expire(order: OrderBody): Promise<void> {
      await api.database.pool.query("UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = $1", [
        order.id,
      ]);
      const job = startReservationExpiryJob({
        fork: () => api.orm.em.fork(),
        notifications: api.live.notifications,
        paymentInFlight: paymentInFlightGuardFor(api.config),
        intervalMs: 60_000,
        log: pino({ level: "silent" }),
        onStockChanged: () => Promise.resolve(),
        schedule: false,
      });
      await job.runOnce();
      await job.stop();
      expect((await api.database.pool.query("SELECT status FROM orders WHERE id = $1", [order.id])).rows).to.deep.equal(
        [{ status: "expired" }],
      );
    }

    /** Payment changes the order and never the stock (the escrow linker and Stripe webhooks alike): only the status. */
    async function pay(order: OrderBody): Promise<void> {
      await api.database.pool.query("UPDATE orders SET status = 'paid', paid_at = now() WHERE id = $1", [order.id]);
    }

    const STEPS = ["count", "expire", "pay"] as const;
    type Step = (typeof STEPS)[number];
    const PERMUTATIONS: Step[][] = STEPS.flatMap((first) =>
      STEPS.filter((step) => step !== first).flatMap((second) => [
        [first, second, STEPS.find((step) => step !== first && step !== second)!],
      ]),
    );
    /**
     * 10 units on sale; one reservation of 3 expires, one of 2 is paid, and the farmer counts 4 on the shelf. Before
     * the count, expiry gives the 3 back (on hand stays 10); after it, the count stands: on hand stays 4, and the
     * units an ending reservation returns make up what the count found missing before any goes back on sale.
     */
    const EXPECTED: Record<string, [onHand: number, available: number][]> = {
      "count,expire,pay": [
        [4, 0],
        [4, 2],
        [4, 2],
      ],
      "count,pay,expire": [
        [4, 0],
        [4, 0],
        [4, 2],
      ],
      "expire,count,pay": [
        [10, 8],
        [4, 2],
        [4, 2],
      ],
      "expire,pay,count": [
        [10, 8],
        [10, 8],
        [4, 2],
      ],
      "pay,count,expire": [
        [10, 5],
        [4, 0],
        [4, 2],
      ],
      "pay,expire,count": [
        [10, 5],
        [10, 8],
        [4, 2],
      ],
    };

    it("keeps what the farmer counted on hand through a correction, an expiry and a payment in every order", async function () {
      expect(PERMUTATIONS.map((steps) => steps.join(","))).to.have.members(Object.keys(EXPECTED));
      for (const steps of PERMUTATIONS) {
        const product = await insertProduct(api.database.pool, farms[1], { priceMinor: 300, stock: 10 });
        const expiring = await reserve(product, 3);
        const paid = await reserve(product, 2);
        expect(await levels(product)).to.deep.equal({
          productId: product,
          onHand: 10,
          available: 5,
          held: 5,
          awaitingShipment: 0,
          shortfall: 0,
        });
        const seen: [number, number][] = [];
        for (const step of steps) {
          if (step === "count") await count(product, 4);
          else if (step === "expire") await expire(expiring);
          else await pay(paid);
          const now = await levels(product);
          expect(await stockOf(api.database.pool, product), steps.join(",")).to.equal(now.available);
          seen.push([now.onHand, now.available]);
        }
        expect(seen, steps.join(",")).to.deep.equal(EXPECTED[steps.join(",")]);
        expect(await levels(product), steps.join(",")).to.deep.equal({
          productId: product,
          onHand: 4,
          available: 2,
          held: 0,
          awaitingShipment: 2,
          shortfall: 0,
        });
        // Shipping takes the sold units off the shelf; what is available does not move.
        await api.database.pool.query("UPDATE orders SET status = 'shipped' WHERE id = $1", [paid.id]);
        expect(await levels(product)).to.deep.include({ onHand: 2, available: 2, awaitingShipment: 0 });
      }
    });

    it("leaves 20 on hand when the farmer counts 20 twice and reservations of 40 then expire (not 40, nor 60)", async function () {
      const product = await insertProduct(api.database.pool, farms[1], { priceMinor: 300, stock: 40 });
      const reservations = await reserveAll(product, 40);
      for (let counted = 0; counted < 2; counted++) {
        expect(await count(product, 20)).to.deep.equal({
          productId: product,
          onHand: 20,
          available: 0,
          held: 40,
          awaitingShipment: 0,
          shortfall: 20,
        });
      }
      for (const order of reservations) await expire(order);
      expect(await levels(product)).to.deep.equal({
        productId: product,
        onHand: 20,
        available: 20,
        held: 0,
        awaitingShipment: 0,
        shortfall: 0,
      });
      const { rows } = await api.database.pool.query<{ delta: number; stock_after: number; note: string }>(
        "SELECT delta, stock_after, note FROM stock_changes WHERE product_id = $1 AND reason = 'released' ORDER BY id",
        [product],
      );
      // The first units returned make up the shortfall; only the rest go back on sale.
      expect(rows[0]).to.deep.include({ delta: 0, stock_after: 0 });
      expect(rows[0].note).to.match(/20 made up the shortfall$/);
      expect(rows.reduce((sum, row) => sum + row.delta, 0)).to.equal(20);
      expect(rows.at(-1)!.stock_after).to.equal(20);
      const buyer = await signedIn();
      await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity: 21 }]);
      const short = await expectError(
        await checkout(buyer.bearer, { paymentMethod: "escrow" }),
        409,
        "insufficient_stock",
      );
      expect(short.details).to.deep.equal({
        lines: [{ productId: product, name: `Product ${product.slice(0, 8)}`, requested: 21, available: 20 }],
      });
    });

    it("makes up a shortfall from a restock before putting the rest on sale", async function () {
      const product = await insertProduct(api.database.pool, farms[1], { priceMinor: 300, stock: 6 });
      await reserveAll(product, 6);
      expect(await count(product, 2)).to.deep.include({ onHand: 2, available: 0, shortfall: 4 });
      const response = await api.request(`/api/products/${product}/stock`, {
        method: "POST",
        headers: { Authorization: `Bearer ${farmer.bearer}`, "Content-Type": "application/json" },
        body: JSON.stringify({ reason: "restock", quantity: 5 }),
      });
      expect(response.status).to.equal(200);
      const body = (await response.json()) as { stock: number; levels: Levels; change: { delta: number } };
      expect(body.levels).to.deep.include({ onHand: 7, available: 1, held: 6, shortfall: 0 });
      expect(body.change.delta).to.equal(1);
    });

    it("counts exactly while buyers reserve at the same moment: on hand is what the farmer counted", async function () {
      const product = await insertProduct(api.database.pool, farms[1], { priceMinor: 300, stock: 30 });
      const buyers = await Promise.all(Array.from({ length: 20 }, () => signedIn()));
      for (const buyer of buyers) await fillCart(api.database.pool, buyer.id, [{ productId: product, quantity: 1 }]);
      const [, ...responses] = await Promise.all([
        count(product, 25),
        ...buyers.map((buyer) => checkout(buyer.bearer, { paymentMethod: "escrow" })),
      ]);
      const reserved = responses.filter((response) => response.status === 201).length;
      expect(reserved).to.equal(20);
      expect(await levels(product)).to.deep.equal({
        productId: product,
        onHand: 25,
        available: 5,
        held: 20,
        awaitingShipment: 0,
        shortfall: 0,
      });
    });

    it("lists the farm's stock to its farmer, and a product's to its owner only", async function () {
      const product = await insertProduct(api.database.pool, farms[1], { priceMinor: 300, stock: 3 });
      const response = await call("/api/farmer/stock", farmer.bearer);
      expect(response.status).to.equal(200);
      const { products } = (await response.json()) as { products: Levels[] };
      expect(products.find((levels) => levels.productId === product)).to.deep.equal({
        productId: product,
        onHand: 3,
        available: 3,
        held: 0,
        awaitingShipment: 0,
        shortfall: 0,
      });
      const other = await signedIn(["buyer", "farmer"]);
      await expectError(await call(`/api/products/${product}/stock`, other.bearer), 403, "forbidden");
      await expectError(await call("/api/farmer/stock", other.bearer), 404, "not_found");
      await expectError(await call(`/api/products/${product}/stock`, (await signedIn()).bearer), 403, "forbidden");
      await expectError(await call(`/api/products/${product}/stock`), 401, "unauthorized");
    });
  });
});
