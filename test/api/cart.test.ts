import { createHash, randomUUID } from "node:crypto";

import { expect } from "chai";

import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import {
  insertEscrowTerms,
  insertFarm,
  insertProduct,
  insertUser,
  installIndexerSchema,
} from "../support/cart-fixtures.js";

interface CartLine {
  productId: string;
  unitPriceMinor: number;
  quantity: number;
  lineTotalMinor: number;
  stock: number;
  problem: string | null;
}

interface CartBody {
  currency: string | null;
  groups: { farm: { id: string }; lines: CartLine[]; subtotalMinor: number }[];
  totalMinor: number;
  lineCount: number;
  itemCount: number;
  checkoutReady: boolean;
}

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

interface CallOptions {
  method?: string;
  bearer?: string;
  cartToken?: string;
  cookie?: string;
  body?: unknown;
}

const lines = (cart: CartBody) => cart.groups.flatMap((group) => group.lines);
const quantities = (cart: CartBody) => Object.fromEntries(lines(cart).map((line) => [line.productId, line.quantity]));

describe("API cart", function () {
  let api: ApiTestApp;
  let farm: string;

  before(async function () {
    api = await startApiApp({ store: "redis" });
    await installIndexerSchema(api.database.pool);
    await insertEscrowTerms(api.database.pool, { chainId: 31337, firstOrderId: 0, feeBps: 250 });
    farm = await insertFarm(api.database.pool, "Padma Greens");
  });

  after(async function () {
    await api?.close();
  });

  function call(path: string, options: CallOptions = {}) {
    const headers: Record<string, string> = {};
    if (options.bearer !== undefined) headers.Authorization = `Bearer ${options.bearer}`;
    if (options.cartToken !== undefined) headers["X-Cart-Token"] = options.cartToken;
    if (options.cookie !== undefined) headers.Cookie = options.cookie;
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    return api.request(path, {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  }

  const setQuantity = (productId: string, quantity: unknown, options: CallOptions = {}) =>
    call(`/api/cart/items/${productId}`, { ...options, method: "PUT", body: { quantity } });

  async function signedInBuyer(): Promise<{ id: string; bearer: string }> {
    const id = await insertUser(api.database.pool);
    const { token } = await api.accessTokens.issue({ id, roles: ["buyer"] });
    return { id, bearer: token };
  }

  const product = (
    priceMinor: number,
    stock: number,
    extra: { status?: "draft" | "archived"; currency?: string } = {},
  ) => insertProduct(api.database.pool, farm, { priceMinor, stock, ...extra });

  async function expectError(response: Response, status: number, code: string): Promise<ErrorBody["error"]> {
    expect(response.status).to.equal(status);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).to.equal(code);
    return body.error;
  }

  async function countCarts(): Promise<number> {
    const { rows } = await api.database.pool.query<{ count: string }>("SELECT count(*) FROM carts");
    return Number(rows[0].count);
  }

  describe("anonymous shoppers", function () {
    it("gives an anonymous shopper a token on the first add, as a HttpOnly Secure SameSite=Lax cookie and a header, and stores only its hash", async function () {
      const tomatoes = await product(450, 10);
      const response = await setQuantity(tomatoes, 2);
      expect(response.status).to.equal(200);
      const token = response.headers.get("x-cart-token");
      expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
      const cookie = response.headers.get("set-cookie") ?? "";
      expect(cookie).to.match(new RegExp(`^agridao_cart=${token}; `));
      expect(cookie).to.include("HttpOnly").and.include("Secure").and.include("SameSite=Lax");
      expect(response.headers.get("cache-control")).to.equal("no-store");
      const cart = (await response.json()) as CartBody;
      expect(quantities(cart)).to.deep.equal({ [tomatoes]: 2 });

      const { rows } = await api.database.pool.query<{ user_id: string | null; token_hash: string }>(
        "SELECT user_id, token_hash FROM carts WHERE token_hash = $1",
        [createHash("sha256").update(token!).digest("hex")],
      );
      expect(rows).to.have.length(1);
      expect(rows[0].user_id).to.equal(null);
      const leaked = await api.database.pool.query("SELECT 1 FROM carts WHERE token_hash = $1", [token]);
      expect(leaked.rows).to.have.length(0);
    });

    it("keeps one anonymous cart across requests, named by the cookie or the header", async function () {
      const [beans, rice] = [await product(300, 5), await product(120, 50)];
      const first = await setQuantity(beans, 1);
      const token = first.headers.get("x-cart-token")!;

      const byCookie = await setQuantity(rice, 4, { cookie: `agridao_cart=${token}` });
      expect(byCookie.status).to.equal(200);
      expect(byCookie.headers.get("x-cart-token")).to.equal(null);
      expect(byCookie.headers.get("set-cookie")).to.equal(null);

      const byHeader = (await (await call("/api/cart", { cartToken: token })).json()) as CartBody;
      expect(quantities(byHeader)).to.deep.equal({ [beans]: 1, [rice]: 4 });
      const byCookieView = (await (await call("/api/cart", { cookie: `agridao_cart=${token}` })).json()) as CartBody;
      expect(byCookieView).to.deep.equal(byHeader);
    });

    it("shows an empty cart without creating one when the caller has none or names an unknown token", async function () {
      const before = await countCarts();
      for (const options of [{}, { cartToken: "no-such-token" }, { cookie: "agridao_cart=forged" }]) {
        const response = await call("/api/cart", options);
        expect(response.status).to.equal(200);
        expect(await response.json()).to.deep.include({
          currency: null,
          groups: [],
          totalMinor: 0,
          lineCount: 0,
          itemCount: 0,
          checkoutReady: false,
        });
      }
      expect(await countCarts()).to.equal(before);
    });

    it("starts a new cart with a new token when the token sent names no cart", async function () {
      const okra = await product(200, 3);
      const response = await setQuantity(okra, 1, { cartToken: "stale-token" });
      expect(response.status).to.equal(200);
      const token = response.headers.get("x-cart-token");
      expect(token).to.be.a("string").and.not.equal("stale-token");
    });
  });

  describe("setting quantities", function () {
    it("sets, not adds, the quantity of a line and shows unit price and line total in integer minor units", async function () {
      const buyer = await signedInBuyer();
      const honey = await product(1_299, 20);
      await setQuantity(honey, 3, { bearer: buyer.bearer });
      const response = await setQuantity(honey, 7, { bearer: buyer.bearer });
      expect(response.status).to.equal(200);
      expect(response.headers.get("x-cart-token")).to.equal(null);
      const cart = (await response.json()) as CartBody;
      expect(lines(cart)).to.have.length(1);
      expect(lines(cart)[0]).to.include({
        productId: honey,
        unitPriceMinor: 1_299,
        quantity: 7,
        lineTotalMinor: 9_093,
        stock: 20,
        problem: null,
      });
      expect(cart).to.include({ currency: "USD", totalMinor: 9_093, lineCount: 1, itemCount: 7, checkoutReady: true });
    });

    it("accepts exactly the stock and refuses one more with 409 and the available quantity", async function () {
      const buyer = await signedInBuyer();
      const eggs = await product(35, 12);
      expect((await setQuantity(eggs, 12, { bearer: buyer.bearer })).status).to.equal(200);
      const error = await expectError(await setQuantity(eggs, 13, { bearer: buyer.bearer }), 409, "insufficient_stock");
      expect(error.details).to.deep.equal({ productId: eggs, requested: 13, available: 12 });
      const cart = (await (await call("/api/cart", { bearer: buyer.bearer })).json()) as CartBody;
      expect(quantities(cart)).to.deep.equal({ [eggs]: 12 });
    });

    it("answers 404 for a product that does not exist", async function () {
      const buyer = await signedInBuyer();
      await expectError(await setQuantity(randomUUID(), 1, { bearer: buyer.bearer }), 404, "not_found");
    });

    it("refuses archived and draft products with 409 product_not_on_sale", async function () {
      const buyer = await signedInBuyer();
      for (const status of ["archived", "draft"] as const) {
        const id = await product(500, 10, { status });
        const error = await expectError(await setQuantity(id, 1, { bearer: buyer.bearer }), 409, "product_not_on_sale");
        expect(error.details).to.deep.equal({ productId: id, status });
      }
    });

    it("refuses an anonymous add that fails without handing out a token or creating a cart", async function () {
      const before = await countCarts();
      const response = await setQuantity(await product(500, 1), 2);
      expect(response.status).to.equal(409);
      expect(response.headers.get("x-cart-token")).to.equal(null);
      expect(await countCarts()).to.equal(before);
    });

    it("answers 400 naming the field for a zero, negative, fractional, textual, missing or excessive quantity", async function () {
      const buyer = await signedInBuyer();
      const id = await product(100, 100_000);
      for (const quantity of [0, -1, 1.5, "2", null, 10_001]) {
        const error = await expectError(
          await setQuantity(id, quantity, { bearer: buyer.bearer }),
          400,
          "validation_failed",
        );
        expect((error.details as { issues: { path: string }[] }).issues.map((issue) => issue.path)).to.deep.equal([
          "body.quantity",
        ]);
      }
      const missing = await call(`/api/cart/items/${id}`, { method: "PUT", bearer: buyer.bearer, body: {} });
      await expectError(missing, 400, "validation_failed");
      const badId = await expectError(
        await setQuantity("not-a-uuid", 1, { bearer: buyer.bearer }),
        400,
        "validation_failed",
      );
      expect((badId.details as { issues: { path: string }[] }).issues[0].path).to.equal("params.productId");
      const notJson = await api.request(`/api/cart/items/${id}`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${buyer.bearer}`, "Content-Type": "text/plain" },
        body: "quantity=1",
      });
      await expectError(notJson, 415, "unsupported_media_type");
    });

    it("refuses a product priced in another currency than the cart", async function () {
      const buyer = await signedInBuyer();
      await setQuantity(await product(100, 5), 1, { bearer: buyer.bearer });
      const taka = await product(9_000, 5, { currency: "BDT" });
      const error = await expectError(await setQuantity(taka, 1, { bearer: buyer.bearer }), 409, "currency_mismatch");
      expect(error.details).to.deep.equal({ productId: taka, currency: "BDT", cartCurrency: "USD" });
    });

    it("refuses a new line once the cart holds 100 products", async function () {
      const buyer = await signedInBuyer();
      const first = await product(100, 5);
      await setQuantity(first, 1, { bearer: buyer.bearer });
      await api.database.pool.query(
        `WITH made AS (
           INSERT INTO products (id, farm_id, name, category, unit, price_minor, currency, stock, status)
           SELECT gen_random_uuid(), $1, 'Filler ' || n, 'other', 'piece', 1, 'USD', 5, 'active'
             FROM generate_series(1, 99) AS n
           RETURNING id
         )
         INSERT INTO cart_items (id, cart_id, product_id, quantity)
         SELECT gen_random_uuid(), (SELECT id FROM carts WHERE user_id = $2), id, 1 FROM made`,
        [farm, buyer.id],
      );
      const error = await expectError(
        await setQuantity(await product(100, 5), 1, { bearer: buyer.bearer }),
        409,
        "cart_full",
      );
      expect(error.details).to.deep.equal({ maxLines: 100 });
      expect((await setQuantity(first, 2, { bearer: buyer.bearer })).status).to.equal(200);
    });
  });

  describe("whose cart", function () {
    it("shows each buyer only their own cart and never an anonymous one", async function () {
      const [alice, bob] = [await signedInBuyer(), await signedInBuyer()];
      const [pears, plums] = [await product(250, 10), await product(180, 10)];
      await setQuantity(pears, 2, { bearer: alice.bearer });
      const anonymous = (await setQuantity(plums, 1)).headers.get("x-cart-token")!;

      const bobsCart = (await (
        await call("/api/cart", { bearer: bob.bearer, cartToken: anonymous })
      ).json()) as CartBody;
      expect(bobsCart.lineCount).to.equal(0);
      const alicesCart = (await (await call("/api/cart", { bearer: alice.bearer })).json()) as CartBody;
      expect(quantities(alicesCart)).to.deep.equal({ [pears]: 2 });
      const anonymousCart = (await (await call("/api/cart", { cartToken: anonymous })).json()) as CartBody;
      expect(quantities(anonymousCart)).to.deep.equal({ [plums]: 1 });
    });

    it("answers 404 when a buyer removes a product that is only in someone else's cart, leaving that cart alone", async function () {
      const [alice, bob] = [await signedInBuyer(), await signedInBuyer()];
      const figs = await product(400, 10);
      await setQuantity(figs, 3, { bearer: alice.bearer });
      await setQuantity(await product(100, 10), 1, { bearer: bob.bearer });
      const removal = await call(`/api/cart/items/${figs}`, { method: "DELETE", bearer: bob.bearer });
      await expectError(removal, 404, "not_found");
      const anonymousRemoval = await call(`/api/cart/items/${figs}`, { method: "DELETE" });
      await expectError(anonymousRemoval, 404, "not_found");
      const alicesCart = (await (await call("/api/cart", { bearer: alice.bearer })).json()) as CartBody;
      expect(quantities(alicesCart)).to.deep.equal({ [figs]: 3 });
    });

    it("answers 401 to an invalid bearer token rather than serving the anonymous cart", async function () {
      for (const path of ["/api/cart", "/api/cart/merge"]) {
        const response = await call(path, { method: path.endsWith("merge") ? "POST" : "GET", bearer: "not.a.jwt" });
        await expectError(response, 401, "unauthorized");
      }
    });

    it("answers 401 to a token whose account no longer exists when it would create a cart", async function () {
      const { token } = await api.accessTokens.issue({ id: randomUUID(), roles: ["buyer"] });
      await expectError(await setQuantity(await product(100, 5), 1, { bearer: token }), 401, "unauthorized");
    });
  });

  describe("concurrent requests", function () {
    it("gives a new buyer one cart when their first adds arrive at once", async function () {
      const buyer = await signedInBuyer();
      const ids = await Promise.all(Array.from({ length: 8 }, () => product(100, 10)));
      const responses = await Promise.all(ids.map((id) => setQuantity(id, 1, { bearer: buyer.bearer })));
      expect(responses.map((response) => response.status)).to.deep.equal(ids.map(() => 200));
      const { rows } = await api.database.pool.query<{ lines: string }>(
        "SELECT count(*) AS lines FROM cart_items JOIN carts ON carts.id = cart_id WHERE carts.user_id = $1",
        [buyer.id],
      );
      expect(rows[0].lines).to.equal("8");
      expect(await api.database.pool.query("SELECT 1 FROM carts WHERE user_id = $1", [buyer.id])).to.have.property(
        "rowCount",
        1,
      );
    });
  });

  describe("removing and emptying", function () {
    it("removes one line and returns the cart without it", async function () {
      const buyer = await signedInBuyer();
      const [leeks, kale] = [await product(210, 10), await product(330, 10)];
      await setQuantity(leeks, 1, { bearer: buyer.bearer });
      await setQuantity(kale, 2, { bearer: buyer.bearer });
      const response = await call(`/api/cart/items/${leeks}`, { method: "DELETE", bearer: buyer.bearer });
      expect(response.status).to.equal(200);
      const cart = (await response.json()) as CartBody;
      expect(quantities(cart)).to.deep.equal({ [kale]: 2 });
      expect(cart.totalMinor).to.equal(660);
      await expectError(
        await call(`/api/cart/items/${leeks}`, { method: "DELETE", bearer: buyer.bearer }),
        404,
        "not_found",
      );
      await expectError(
        await call("/api/cart/items/nope", { method: "DELETE", bearer: buyer.bearer }),
        400,
        "validation_failed",
      );
    });

    it("empties a signed-in buyer's cart with 204, and again harmlessly", async function () {
      const buyer = await signedInBuyer();
      await setQuantity(await product(100, 5), 1, { bearer: buyer.bearer });
      expect((await call("/api/cart", { method: "DELETE", bearer: buyer.bearer })).status).to.equal(204);
      expect((await call("/api/cart", { method: "DELETE", bearer: buyer.bearer })).status).to.equal(204);
      const cart = (await (await call("/api/cart", { bearer: buyer.bearer })).json()) as CartBody;
      expect(cart.lineCount).to.equal(0);
    });

    it("deletes an anonymous cart with its token and clears the cookie", async function () {
      const token = (await setQuantity(await product(100, 5), 1)).headers.get("x-cart-token")!;
      const response = await call("/api/cart", { method: "DELETE", cookie: `agridao_cart=${token}` });
      expect(response.status).to.equal(204);
      expect(response.headers.get("set-cookie")).to.match(/^agridao_cart=; Max-Age=0; /);
      const { rows } = await api.database.pool.query("SELECT 1 FROM carts WHERE token_hash = $1", [
        createHash("sha256").update(token).digest("hex"),
      ]);
      expect(rows).to.have.length(0);
    });
  });

  describe("lines that can no longer be bought", function () {
    it("flags an archived product and a stock below the quantity, keeping both lines out of the totals", async function () {
      const buyer = await signedInBuyer();
      const [archived, short, fine] = [await product(1_000, 5), await product(700, 9), await product(250, 4)];
      await setQuantity(archived, 2, { bearer: buyer.bearer });
      await setQuantity(short, 6, { bearer: buyer.bearer });
      await setQuantity(fine, 4, { bearer: buyer.bearer });
      await api.database.pool.query("UPDATE products SET status = 'archived' WHERE id = $1", [archived]);
      await api.database.pool.query("UPDATE products SET stock = 2 WHERE id = $1", [short]);

      const cart = (await (await call("/api/cart", { bearer: buyer.bearer })).json()) as CartBody;
      expect(lines(cart).map((line) => [line.productId, line.quantity, line.stock, line.problem])).to.deep.equal([
        [archived, 2, 5, "not_on_sale"],
        [short, 6, 2, "insufficient_stock"],
        [fine, 4, 4, null],
      ]);
      expect(lines(cart).map((line) => line.lineTotalMinor)).to.deep.equal([2_000, 4_200, 1_000]);
      expect(cart).to.include({ totalMinor: 1_000, lineCount: 3, itemCount: 4, checkoutReady: false });
      expect(cart.groups[0].subtotalMinor).to.equal(1_000);
    });

    it("flags a line whose product's currency changed after it was added", async function () {
      const buyer = await signedInBuyer();
      const [first, second] = [await product(100, 5), await product(200, 5)];
      await setQuantity(first, 1, { bearer: buyer.bearer });
      await setQuantity(second, 1, { bearer: buyer.bearer });
      await api.database.pool.query("UPDATE products SET currency = 'EUR' WHERE id = $1", [second]);
      const cart = (await (await call("/api/cart", { bearer: buyer.bearer })).json()) as CartBody;
      expect(lines(cart).map((line) => line.problem)).to.deep.equal([null, "currency_mismatch"]);
      expect(cart).to.include({ currency: "USD", totalMinor: 100 });
    });
  });

  describe("merging on sign-in", function () {
    it("adds the anonymous quantities to the user's, caps them at the stock, reports what it left out and deletes the anonymous cart", async function () {
      const buyer = await signedInBuyer();
      const [melons, mangoes, gone, fresh] = [
        await product(600, 5),
        await product(150, 30),
        await product(90, 10),
        await product(75, 10),
      ];
      await setQuantity(melons, 4, { bearer: buyer.bearer });
      await setQuantity(fresh, 1, { bearer: buyer.bearer });
      const token = (await setQuantity(melons, 3)).headers.get("x-cart-token")!;
      await setQuantity(mangoes, 10, { cartToken: token });
      await setQuantity(gone, 2, { cartToken: token });
      await api.database.pool.query("UPDATE products SET status = 'archived' WHERE id = $1", [gone]);

      const response = await call("/api/cart/merge", { method: "POST", bearer: buyer.bearer, cartToken: token });
      expect(response.status).to.equal(200);
      expect(response.headers.get("set-cookie")).to.match(/^agridao_cart=; Max-Age=0; /);
      const body = (await response.json()) as {
        cart: CartBody;
        merge: { anonymousCartFound: boolean; lines: Record<string, unknown>[] };
      };
      expect(body.merge).to.deep.equal({
        anonymousCartFound: true,
        lines: [
          { productId: melons, anonymousQuantity: 3, quantityBefore: 4, quantityAfter: 5, outcome: "capped" },
          { productId: mangoes, anonymousQuantity: 10, quantityBefore: 0, quantityAfter: 10, outcome: "added" },
          { productId: gone, anonymousQuantity: 2, quantityBefore: 0, quantityAfter: 0, outcome: "not_on_sale" },
        ],
      });
      expect(quantities(body.cart)).to.deep.equal({ [melons]: 5, [fresh]: 1, [mangoes]: 10 });
      expect(body.cart.totalMinor).to.equal(5 * 600 + 75 + 10 * 150);

      const anonymous = (await (await call("/api/cart", { cartToken: token })).json()) as CartBody;
      expect(anonymous.lineCount).to.equal(0);
      const { rows } = await api.database.pool.query("SELECT 1 FROM carts WHERE token_hash = $1", [
        createHash("sha256").update(token).digest("hex"),
      ]);
      expect(rows).to.have.length(0);

      const again = await call("/api/cart/merge", { method: "POST", bearer: buyer.bearer, cartToken: token });
      expect(again.status).to.equal(200);
      const second = (await again.json()) as { cart: CartBody; merge: unknown };
      expect(second.merge).to.deep.equal({ anonymousCartFound: false, lines: [] });
      expect(second.cart).to.deep.equal(body.cart);
    });

    it("merges into a user who had no cart yet, by cookie, keeping the anonymous quantities within stock", async function () {
      const buyer = await signedInBuyer();
      const cabbage = await product(95, 8);
      const token = (await setQuantity(cabbage, 8)).headers.get("x-cart-token")!;
      await api.database.pool.query("UPDATE products SET stock = 6 WHERE id = $1", [cabbage]);
      const response = await call("/api/cart/merge", {
        method: "POST",
        bearer: buyer.bearer,
        cookie: `agridao_cart=${token}`,
      });
      const body = (await response.json()) as { cart: CartBody; merge: { lines: { outcome: string }[] } };
      expect(quantities(body.cart)).to.deep.equal({ [cabbage]: 6 });
      expect(body.merge.lines.map((line) => line.outcome)).to.deep.equal(["capped"]);
    });

    it("leaves out anonymous lines in another currency than the user's cart", async function () {
      const buyer = await signedInBuyer();
      await setQuantity(await product(100, 5), 1, { bearer: buyer.bearer });
      const taka = await product(5_000, 5, { currency: "BDT" });
      const token = (await setQuantity(taka, 1)).headers.get("x-cart-token")!;
      const response = await call("/api/cart/merge", { method: "POST", bearer: buyer.bearer, cartToken: token });
      const body = (await response.json()) as { cart: CartBody; merge: { lines: { outcome: string }[] } };
      expect(body.merge.lines.map((line) => line.outcome)).to.deep.equal(["currency_mismatch"]);
      expect(body.cart.lineCount).to.equal(1);
    });

    it("merges an anonymous cart only once when two merges race", async function () {
      const buyer = await signedInBuyer();
      const nuts = await product(800, 50);
      await setQuantity(nuts, 2, { bearer: buyer.bearer });
      const token = (await setQuantity(nuts, 5)).headers.get("x-cart-token")!;
      const merge = () => call("/api/cart/merge", { method: "POST", bearer: buyer.bearer, cartToken: token });
      const responses = await Promise.all([merge(), merge()]);
      expect(responses.map((response) => response.status)).to.deep.equal([200, 200]);
      const bodies = (await Promise.all(responses.map((response) => response.json()))) as {
        merge: { anonymousCartFound: boolean };
      }[];
      expect(bodies.map((body) => body.merge.anonymousCartFound).sort()).to.deep.equal([false, true]);
      const cart = (await (await call("/api/cart", { bearer: buyer.bearer })).json()) as CartBody;
      expect(quantities(cart)).to.deep.equal({ [nuts]: 7 });
    });

    it("requires a signed-in user and the anonymous token", async function () {
      await expectError(await call("/api/cart/merge", { method: "POST", cartToken: "whatever" }), 401, "unauthorized");
      const buyer = await signedInBuyer();
      const error = await expectError(
        await call("/api/cart/merge", { method: "POST", bearer: buyer.bearer }),
        400,
        "validation_failed",
      );
      expect((error.details as { issues: { path: string }[] }).issues[0].path).to.equal("headers.x-cart-token");
    });
  });
});
