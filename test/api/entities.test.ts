import { expect } from "chai";

import { Farm } from "../../api/src/entities/Farm.js";
import { Product } from "../../api/src/entities/Product.js";
import { StockChange } from "../../api/src/entities/StockChange.js";
import { User } from "../../api/src/entities/User.js";
import { Wallet } from "../../api/src/entities/Wallet.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";

describe("API entities", function () {
  let api: ApiTestApp;

  before(async function () {
    api = await startApiApp();
  });

  after(async function () {
    await api?.close();
  });

  it("match the schema the migrations create, column for column", async function () {
    expect(await api.orm.schema.getUpdateSchemaSQL({ wrap: false })).to.equal("");
  });

  it("store a user with its wallet and read them back", async function () {
    const em = api.orm.em.fork();
    const user = em.create(User, { email: "farmer@example.com", roles: ["buyer", "farmer"] });
    const address = `0x${"1f".repeat(20)}`;
    em.create(Wallet, { address, user, chainId: 31337 });
    await em.flush();

    const read = api.orm.em.fork();
    const wallet = await read.findOneOrFail(Wallet, { address }, { populate: ["user"] });
    expect(wallet.user.id).to.equal(user.id);
    expect(wallet.user.roles).to.deep.equal(["buyer", "farmer"]);
    expect(wallet.user.passwordHash).to.equal(null);
    expect(wallet.linkedAt).to.be.instanceOf(Date);
  });

  it("gives a new user the buyer role", async function () {
    const em = api.orm.em.fork();
    const user = em.create(User, { email: null });
    await em.flush();
    const read = await api.orm.em.fork().findOneOrFail(User, { id: user.id });
    expect(read.roles).to.deep.equal(["buyer"]);
    expect(read.createdAt).to.be.instanceOf(Date);
  });

  it("store a farm's product with its stock history, and keep its full-text vector from name and description", async function () {
    const em = api.orm.em.fork();
    const owner = em.create(User, { email: "grower@example.com", roles: ["buyer", "farmer"] });
    const farm = em.create(Farm, { owner, name: "Padma Greens", slug: "padma-greens", region: "Rajshahi" });
    const product = em.create(Product, {
      farm,
      name: "Heirloom tomatoes",
      description: "Vine-ripened, picked this morning",
      category: "vegetables",
      unit: "kg",
      priceMinor: 450,
      currency: "USD",
      stock: 12,
      status: "active",
    });
    em.create(StockChange, { product, delta: 12, stockAfter: 12, reason: "created", actor: owner });
    await em.flush();

    const { rows } = await api.database.pool.query<{ id: string }>(
      "SELECT id FROM products WHERE search @@ websearch_to_tsquery('english', 'tomato picking')",
    );
    expect(rows.map((row) => row.id)).to.deep.equal([product.id]);
    const history = await api.orm.em.fork().find(StockChange, { product: product.id });
    expect(history.map((change) => [change.delta, change.stockAfter, change.reason])).to.deep.equal([
      [12, 12, "created"],
    ]);
  });

  it("refuse a product priced at zero or with negative stock", async function () {
    const em = api.orm.em.fork();
    const owner = em.create(User, { email: "second@example.com", roles: ["farmer"] });
    const farm = em.create(Farm, { owner, name: "Second", slug: "second", region: "Khulna" });
    await em.flush();
    const base = { farm, name: "Rice", category: "grains", unit: "kg", currency: "USD", status: "draft" } as const;
    for (const bad of [
      { priceMinor: 0, stock: 1 },
      { priceMinor: 100, stock: -1 },
    ]) {
      const fork = api.orm.em.fork();
      fork.create(Product, { ...base, farm: farm.id, ...bad });
      const failure = await fork.flush().catch((error: unknown) => error);
      expect(String(failure)).to.match(/products_(price_minor|stock)_check/);
    }
  });
});
