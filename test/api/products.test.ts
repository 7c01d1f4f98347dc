import { expect } from "chai";

import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { createActor, expectError, validationPaths } from "../support/catalog-actors.js";
import type { TestActor } from "../support/catalog-actors.js";

interface ProductBody {
  id: string;
  name: string;
  status: string;
  stock: number;
  priceMinor: number;
  currency: string;
  farm: { slug: string; name: string; region: string };
  photos: unknown[];
  cover: unknown;
}

interface StockChangeBody {
  delta: number;
  stockAfter: number;
  reason: string;
  note: string | null;
  actorId: string | null;
}

const TOMATOES = {
  name: "Heirloom tomatoes",
  description: "Vine-ripened",
  category: "vegetables",
  unit: "kg",
  priceMinor: 450,
  stock: 12,
  status: "active",
};

describe("API products", function () {
  let api: ApiTestApp;
  let farmer: TestActor;
  let otherFarmer: TestActor;
  let buyer: TestActor;
  let productId: string;

  before(async function () {
    api = await startApiApp({ env: { SHOP_CURRENCY: "BDT" } });
    farmer = await createActor(api, ["farmer"]);
    otherFarmer = await createActor(api, ["farmer"]);
    buyer = await createActor(api, ["buyer"]);
    for (const [actor, name] of [
      [farmer, "Jamuna Fields"],
      [otherFarmer, "Teesta Orchard"],
    ] as const) {
      const response = await api.request("/api/farms", actor.json("POST", { name, region: "Rangpur" }));
      expect(response.status).to.equal(201);
    }
  });

  after(async function () {
    await api?.close();
  });

  const create = (actor: TestActor, body: object) => api.request("/api/products", actor.json("POST", body));

  it("creates a product priced in the shop currency and records its opening stock", async function () {
    const response = await create(farmer, TOMATOES);
    expect(response.status).to.equal(201);
    const product = (await response.json()) as ProductBody;
    expect(product).to.deep.include({
      name: "Heirloom tomatoes",
      priceMinor: 450,
      currency: "BDT",
      stock: 12,
      photos: [],
    });
    expect(product.farm).to.deep.include({ slug: "jamuna-fields", name: "Jamuna Fields", region: "Rangpur" });
    productId = product.id;

    const history = await api.request(`/api/products/${productId}/stock-history`, { headers: farmer.headers });
    expect(history.status).to.equal(200);
    const { changes } = (await history.json()) as { changes: StockChangeBody[] };
    expect(changes).to.have.length(1);
    expect(changes[0]).to.deep.include({
      delta: 12,
      stockAfter: 12,
      reason: "created",
      note: null,
      actorId: farmer.id,
    });
  });

  it("refuses invalid products listing every problem", async function () {
    const response = await create(farmer, {
      ...TOMATOES,
      name: "",
      priceMinor: 4.5,
      stock: -1,
      category: "gadgets",
      extra: 1,
    });
    expect(await validationPaths(response)).to.include.members([
      "body.name",
      "body.priceMinor",
      "body.stock",
      "body.category",
    ]);
    expect(await validationPaths(await create(farmer, { ...TOMATOES, priceMinor: 0 }))).to.deep.equal([
      "body.priceMinor",
    ]);
  });

  it("answers 401 without a token, 403 for a buyer, 409 for a farmer without a farm", async function () {
    await expectError(await api.request("/api/products", { method: "POST" }), 401, "unauthorized");
    await expectError(await create(buyer, TOMATOES), 403, "forbidden");
    const farmless = await createActor(api, ["farmer"]);
    await expectError(await create(farmless, TOMATOES), 409, "conflict");
  });

  it("lets the owner update and archive a product, and nobody else", async function () {
    const updated = await api.request(
      `/api/products/${productId}`,
      farmer.json("PATCH", { priceMinor: 500, name: "Tomatoes" }),
    );
    expect(updated.status).to.equal(200);
    expect(await updated.json()).to.deep.include({ priceMinor: 500, name: "Tomatoes", stock: 12 });

    await expectError(
      await api.request(`/api/products/${productId}`, otherFarmer.json("PATCH", { priceMinor: 1 })),
      403,
      "forbidden",
    );
    await expectError(
      await api.request("/api/products/00000000-0000-4000-8000-000000000000", farmer.json("PATCH", { priceMinor: 1 })),
      404,
      "not_found",
    );
    await expectError(
      await api.request(`/api/products/${productId}`, buyer.json("PATCH", { priceMinor: 1 })),
      403,
      "forbidden",
    );
    expect(
      await validationPaths(await api.request(`/api/products/${productId}`, farmer.json("PATCH", { stock: 3 }))),
    ).to.include("body");
    expect(
      await validationPaths(await api.request("/api/products/not-a-uuid", farmer.json("PATCH", { name: "x" }))),
    ).to.deep.equal(["params.id"]);
  });

  it("shows active products to everyone and drafts or archived ones to their owner only", async function () {
    const draft = (await (
      await create(farmer, { ...TOMATOES, name: "Green chillies", status: "draft" })
    ).json()) as ProductBody;
    expect(draft.status).to.equal("draft");
    expect((await api.request(`/api/products/${productId}`)).status).to.equal(200);
    await expectError(await api.request(`/api/products/${draft.id}`), 404, "not_found");
    await expectError(
      await api.request(`/api/products/${draft.id}`, { headers: otherFarmer.headers }),
      404,
      "not_found",
    );
    const own = await api.request(`/api/products/${draft.id}`, { headers: farmer.headers });
    expect(((await own.json()) as ProductBody).status).to.equal("draft");

    const archived = await api.request(`/api/products/${draft.id}`, farmer.json("PATCH", { status: "archived" }));
    expect(((await archived.json()) as ProductBody).status).to.equal("archived");
    await expectError(await api.request(`/api/products/${draft.id}`), 404, "not_found");

    const ownArchived = await api.request("/api/products?farm=jamuna-fields&status=archived", {
      headers: farmer.headers,
    });
    expect(((await ownArchived.json()) as { products: ProductBody[] }).products.map((p) => p.id)).to.deep.equal([
      draft.id,
    ]);
    await expectError(
      await api.request("/api/products?farm=jamuna-fields&status=archived", { headers: otherFarmer.headers }),
      403,
      "forbidden",
    );
    await expectError(await api.request("/api/products?farm=jamuna-fields&status=draft"), 403, "forbidden");
    expect(
      await validationPaths(await api.request("/api/products?status=draft", { headers: farmer.headers })),
    ).to.deep.equal(["query.status"]);
  });

  it("restocks and corrects stock, recording actor, reason and note in order", async function () {
    const restock = await api.request(
      `/api/products/${productId}/stock`,
      farmer.json("POST", { reason: "restock", quantity: 8, note: "Morning harvest" }),
    );
    expect(restock.status).to.equal(200);
    expect(await restock.json()).to.deep.include({ stock: 20 });
    const correction = await api.request(
      `/api/products/${productId}/stock`,
      farmer.json("POST", { reason: "correction", stock: 17, note: "Three spoiled" }),
    );
    expect(((await correction.json()) as { change: StockChangeBody }).change).to.deep.include({
      delta: -3,
      stockAfter: 17,
      reason: "correction",
      note: "Three spoiled",
      actorId: farmer.id,
    });

    const page = await api.request(`/api/products/${productId}/stock-history?limit=2`, { headers: farmer.headers });
    const { changes, nextBefore } = (await page.json()) as { changes: StockChangeBody[]; nextBefore: number };
    expect(changes.map((change) => [change.reason, change.delta, change.stockAfter])).to.deep.equal([
      ["correction", -3, 17],
      ["restock", 8, 20],
    ]);
    const rest = await api.request(`/api/products/${productId}/stock-history?before=${nextBefore}`, {
      headers: farmer.headers,
    });
    const older = (await rest.json()) as { changes: StockChangeBody[]; nextBefore: number | null };
    expect(older.changes.map((change) => change.reason)).to.deep.equal(["created"]);
    expect(older.nextBefore).to.equal(null);

    const { rows } = await api.database.pool.query<{ stock: number }>("SELECT stock FROM products WHERE id = $1", [
      productId,
    ]);
    expect(rows[0].stock).to.equal(17);
  });

  it("refuses stock changes that are invalid or not the caller's", async function () {
    const path = `/api/products/${productId}/stock`;
    expect(
      await validationPaths(await api.request(path, farmer.json("POST", { reason: "restock", quantity: 0 }))),
    ).to.include("body.quantity");
    expect(
      await validationPaths(await api.request(path, farmer.json("POST", { reason: "correction", stock: 3 }))),
    ).to.include("body.note");
    expect(
      await validationPaths(await api.request(path, farmer.json("POST", { reason: "sold", quantity: 1 }))),
    ).to.include("body.reason");
    await expectError(
      await api.request(path, otherFarmer.json("POST", { reason: "restock", quantity: 1 })),
      403,
      "forbidden",
    );
    await expectError(
      await api.request(`${path.replace("/stock", "")}/stock-history`, { headers: otherFarmer.headers }),
      403,
      "forbidden",
    );
    await expectError(await api.request(`/api/products/${productId}/stock-history`), 401, "unauthorized");
    await expectError(
      await api.request(`/api/products/${productId}/stock-history`, { headers: buyer.headers }),
      403,
      "forbidden",
    );
    const { rows } = await api.database.pool.query<{ count: string }>(
      "SELECT count(*) FROM stock_changes WHERE product_id = $1",
      [productId],
    );
    expect(Number(rows[0].count)).to.equal(3);
  });

  it("keeps every concurrent restock: the stock ends at the sum and the history adds up", async function () {
    await Promise.all(
      Array.from({ length: 8 }, () =>
        api.request(`/api/products/${productId}/stock`, farmer.json("POST", { reason: "restock", quantity: 1 })),
      ),
    );
    const product = (await (await api.request(`/api/products/${productId}`)).json()) as ProductBody;
    expect(product.stock).to.equal(25);
    const { rows } = await api.database.pool.query<{ sum: string }>(
      "SELECT sum(delta) FROM stock_changes WHERE product_id = $1",
      [productId],
    );
    expect(Number(rows[0].sum)).to.equal(25);
  });
});
