import { randomUUID } from "node:crypto";

import { expect } from "chai";

import { buildCartView } from "../../api/src/cart/build-cart-view.js";
import type { CartLineState } from "../../api/src/cart/build-cart-view.js";
import { computePlatformFee } from "../../protocol/escrow/compute-platform-fee.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import {
  insertEscrowTerms,
  insertFarm,
  insertProduct,
  insertUser,
  installIndexerSchema,
} from "../support/cart-fixtures.js";

interface Group {
  farm: { id: string; name: string };
  lines: { productId: string; lineTotalMinor: number }[];
  subtotalMinor: number;
  platformFeeMinor: number | null;
  farmReceivesMinor: number | null;
}

interface CartBody {
  currency: string | null;
  groups: Group[];
  platformFee: Record<string, unknown>;
  totalMinor: number;
  platformFeeMinor: number | null;
  itemCount: number;
}

describe("Cart totals and the platform fee", function () {
  describe("computePlatformFee", function () {
    it("rounds the fee down to the minor unit, as the escrow contract does", function () {
      expect(computePlatformFee(999n, 250)).to.equal(24n); // 24.975
      expect(computePlatformFee(1_000n, 250)).to.equal(25n);
      expect(computePlatformFee(39n, 250)).to.equal(0n); // 0.975
      expect(computePlatformFee(10_001n, 1)).to.equal(1n); // 1.0001
      expect(computePlatformFee(12_345n, 0)).to.equal(0n);
      expect(computePlatformFee(0n, 1_000)).to.equal(0n);
    });

    it("stays exact far beyond the range of floating-point numbers", function () {
      const amount = 2n ** 80n + 7n;
      expect(computePlatformFee(amount, 333)).to.equal((amount * 333n) / 10_000n);
      expect(computePlatformFee(amount, 333).toString()).to.equal("40257229793167151517715");
    });

    it("refuses a negative amount and a fee outside 0 to 10000 basis points", function () {
      expect(() => computePlatformFee(-1n, 250)).to.throw(RangeError);
      expect(() => computePlatformFee(100n, 10_001)).to.throw(RangeError);
      expect(() => computePlatformFee(100n, 2.5)).to.throw(RangeError);
    });
  });

  describe("buildCartView", function () {
    const farm = { id: randomUUID(), name: "Big Farm", slug: "big-farm" };
    const line = (priceMinor: number, quantity: number): CartLineState => ({
      productId: randomUUID(),
      name: "Saffron",
      unit: "g",
      currency: "USD",
      priceMinor,
      stock: quantity,
      status: "active",
      quantity,
      addedAt: new Date("2026-11-22T00:00:00Z"),
      farm,
    });

    it("adds amounts exactly where decimal floating point would drift", function () {
      // In dollars, 0.1 + 0.2 is 0.30000000000000004; in cents it is 30.
      const view = buildCartView([line(10, 1), line(20, 1)], {
        status: "known",
        chainId: 31337,
        feeBps: 1_000,
        sinceOrderId: "0",
      });
      expect(view.totalMinor).to.equal(30);
      expect(view.groups[0]).to.include({ subtotalMinor: 30, platformFeeMinor: 3, farmReceivesMinor: 27 });
    });

    it("totals the largest prices and quantities a cart allows to the exact minor unit", function () {
      const largest = Array.from({ length: 100 }, () => line(2_147_483_647, 10_000));
      const view = buildCartView(largest, { status: "known", chainId: 31337, feeBps: 999, sinceOrderId: "0" });
      expect(view.totalMinor).to.equal(2_147_483_647_000_000);
      expect(Number.isSafeInteger(view.totalMinor)).to.equal(true);
      expect(view.platformFeeMinor).to.equal(214_533_616_335_300);
      expect(view.groups[0].farmReceivesMinor).to.equal(2_147_483_647_000_000 - 214_533_616_335_300);
    });
  });

  describe("over HTTP", function () {
    let api: ApiTestApp;
    let bearer: string;
    let userId: string;

    before(async function () {
      api = await startApiApp();
      await installIndexerSchema(api.database.pool);
      userId = await insertUser(api.database.pool);
      bearer = (await api.accessTokens.issue({ id: userId, roles: ["buyer"] })).token;
    });

    after(async function () {
      await api?.close();
    });

    const put = (productId: string, quantity: number) =>
      api.request(`/api/cart/items/${productId}`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json" },
        body: JSON.stringify({ quantity }),
      });
    const view = async () =>
      (await (await api.request("/api/cart", { headers: { Authorization: `Bearer ${bearer}` } })).json()) as CartBody;

    it("says the fee is not known while the indexer has no terms for the configured chain", async function () {
      await insertEscrowTerms(api.database.pool, { chainId: 1, firstOrderId: 0, feeBps: 900 });
      const farm = await insertFarm(api.database.pool, "Early Farm");
      const product = await insertProduct(api.database.pool, farm, { priceMinor: 1_000, stock: 5 });
      expect((await put(product, 2)).status).to.equal(200);

      const cart = await view();
      expect(cart.platformFee).to.deep.equal({
        status: "unknown",
        chainId: 31337,
        reason: "The indexer has not recorded the escrow's terms for chain 31337",
      });
      expect(cart.platformFeeMinor).to.equal(null);
      expect(cart.groups[0]).to.include({ subtotalMinor: 2_000, platformFeeMinor: null, farmReceivesMinor: null });
      expect(cart.totalMinor).to.equal(2_000);
      await api.request("/api/cart", { method: "DELETE", headers: { Authorization: `Bearer ${bearer}` } });
    });

    it("groups lines by farm and takes the fee in force, per farm and rounded down, from the indexer's terms", async function () {
      // The DAO moved the fee from 250 to 300 bps; the row with the highest first_order_id is in force.
      await insertEscrowTerms(api.database.pool, { chainId: 31337, firstOrderId: 0, feeBps: 250 });
      await insertEscrowTerms(api.database.pool, { chainId: 31337, firstOrderId: 12, feeBps: 300 });
      const [north, south] = [
        await insertFarm(api.database.pool, "North Farm"),
        await insertFarm(api.database.pool, "South Farm"),
      ];
      const rice = await insertProduct(api.database.pool, north, { priceMinor: 333, stock: 10 });
      const dal = await insertProduct(api.database.pool, south, { priceMinor: 1_999, stock: 10 });
      const ghee = await insertProduct(api.database.pool, north, { priceMinor: 5, stock: 100 });
      const chili = await insertProduct(api.database.pool, south, { priceMinor: 7, stock: 100 });
      await put(rice, 3); // 999
      await put(dal, 1); // 1999
      await put(ghee, 13); // 65
      await put(chili, 5); // 35

      const cart = await view();
      expect(cart.platformFee).to.deep.equal({ status: "known", chainId: 31337, feeBps: 300, sinceOrderId: "12" });
      expect(cart.currency).to.equal("USD");
      expect(cart.groups.map((group) => [group.farm.name, group.lines.map((line) => line.productId)])).to.deep.equal([
        ["North Farm", [rice, ghee]],
        ["South Farm", [dal, chili]],
      ]);
      expect(cart.groups.map((group) => group.lines.map((line) => line.lineTotalMinor))).to.deep.equal([
        [999, 65],
        [1_999, 35],
      ]);
      // North: 1064 × 3% = 31.92 → 31. South: 2034 × 3% = 61.02 → 61.
      expect(
        cart.groups.map((group) => [group.subtotalMinor, group.platformFeeMinor, group.farmReceivesMinor]),
      ).to.deep.equal([
        [1_064, 31, 1_033],
        [2_034, 61, 1_973],
      ]);
      // Per farm, not on the total: 3098 × 3% would be 92.94 → 92, one more than 31 + 61.
      expect(cart).to.include({ totalMinor: 3_098, platformFeeMinor: 92, itemCount: 22 });
      expect(cart.platformFeeMinor).to.equal(31 + 61);
    });

    it("says the fee is not known, and still totals the cart, when the indexer's tables are absent", async function () {
      const bare = await startApiApp();
      try {
        const buyer = await insertUser(bare.database.pool);
        const { token } = await bare.accessTokens.issue({ id: buyer, roles: ["buyer"] });
        const product = await insertProduct(bare.database.pool, await insertFarm(bare.database.pool, "Lone Farm"), {
          priceMinor: 250,
          stock: 4,
        });
        const response = await bare.request(`/api/cart/items/${product}`, {
          method: "PUT",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: JSON.stringify({ quantity: 4 }),
        });
        expect(response.status).to.equal(200);
        const cart = (await response.json()) as CartBody;
        expect(cart.platformFee).to.deep.equal({
          status: "unknown",
          chainId: 31337,
          reason: "The indexer's tables do not exist in this database yet",
        });
        expect(cart).to.include({ totalMinor: 1_000, platformFeeMinor: null });
        const stored = await bare.request("/api/cart", { headers: { Authorization: `Bearer ${token}` } });
        expect(((await stored.json()) as CartBody).totalMinor).to.equal(1_000);
      } finally {
        await bare.close();
      }
    });
  });
});
