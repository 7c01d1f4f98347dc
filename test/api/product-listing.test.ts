import { randomUUID } from "node:crypto";
import { get } from "node:http";

import { expect } from "chai";

import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { createActor, validationPaths } from "../support/catalog-actors.js";
import type { TestActor } from "../support/catalog-actors.js";

interface Listing {
  products: {
    id: string;
    name: string;
    priceMinor: number;
    category: string;
    farm: { slug: string; region: string };
  }[];
  nextCursor: string | null;
}

describe("API product listing and search", function () {
  let api: ApiTestApp;
  let sylhet: TestActor;
  let bogura: TestActor;
  const ids: Record<string, string> = {};

  before(async function () {
    api = await startApiApp({ store: "redis" });
    sylhet = await createActor(api, ["farmer"]);
    bogura = await createActor(api, ["farmer"]);
    await api.request("/api/farms", sylhet.json("POST", { name: "Tea Garden Greens", region: "Sylhet" }));
    await api.request("/api/farms", bogura.json("POST", { name: "Bogura Mills", region: "Bogura" }));
    const products: [TestActor, string, string, string, number][] = [
      [sylhet, "Green chillies", "Hot, and goes well with tomatoes", "vegetables", 150],
      [sylhet, "Red tomatoes", "Fresh from the vine", "vegetables", 300],
      [sylhet, "Tomato chutney", "Sweet and sour", "other", 550],
      [bogura, "Mustard oil", "Cold pressed", "oils", 900],
      [bogura, "Basmati rice", "Long grain, aged", "grains", 1200],
      [bogura, "Cherry tomatoes", "Tiny and sweet", "vegetables", 700],
    ];
    for (const [actor, name, description, category, priceMinor] of products) {
      const response = await api.request(
        "/api/products",
        actor.json("POST", { name, description, category, unit: "kg", priceMinor, stock: 10, status: "active" }),
      );
      expect(response.status).to.equal(201);
      ids[name] = ((await response.json()) as { id: string }).id;
    }
    await api.request(
      "/api/products",
      sylhet.json("POST", { name: "Draft tomatoes", category: "vegetables", unit: "kg", priceMinor: 100, stock: 1 }),
    );
  });

  after(async function () {
    await api?.close();
  });

  const list = async (query: string): Promise<Listing> => {
    const response = await api.request(`/api/products?${query}`);
    expect(response.status, await response.clone().text()).to.equal(200);
    return (await response.json()) as Listing;
  };
  const names = (listing: Listing) => listing.products.map((product) => product.name);

  it("lists active products newest first, with their farm", async function () {
    const listing = await list("");
    expect(names(listing)).to.deep.equal([
      "Cherry tomatoes",
      "Basmati rice",
      "Mustard oil",
      "Tomato chutney",
      "Red tomatoes",
      "Green chillies",
    ]);
    expect(listing.products[0].farm).to.deep.include({ slug: "bogura-mills", region: "Bogura" });
    expect(listing.nextCursor).to.equal(null);
  });

  it("finds products by a stemmed word and ranks name matches above description matches", async function () {
    const listing = await list("q=tomato");
    expect(names(listing).slice(0, 3)).to.have.members(["Red tomatoes", "Tomato chutney", "Cherry tomatoes"]);
    expect(names(listing)[3]).to.equal("Green chillies");
    expect(names(listing)).to.have.length(4);
    expect(names(await list("q=pressed"))).to.deep.equal(["Mustard oil"]);
    expect(names(await list("q=tomatoes -cherry"))).to.not.include("Cherry tomatoes");
  });

  it("filters by category, region, farm and price range", async function () {
    expect(names(await list("category=vegetables&sort=price_asc"))).to.deep.equal([
      "Green chillies",
      "Red tomatoes",
      "Cherry tomatoes",
    ]);
    expect(names(await list("region=sylhet&sort=price_asc"))).to.deep.equal([
      "Green chillies",
      "Red tomatoes",
      "Tomato chutney",
    ]);
    expect(names(await list("farm=bogura-mills&sort=price_desc"))).to.deep.equal([
      "Basmati rice",
      "Mustard oil",
      "Cherry tomatoes",
    ]);
    expect(names(await list("minPrice=300&maxPrice=900&sort=price_asc"))).to.deep.equal([
      "Red tomatoes",
      "Tomato chutney",
      "Cherry tomatoes",
      "Mustard oil",
    ]);
    expect(names(await list("q=tomato&category=vegetables&region=Bogura"))).to.deep.equal(["Cherry tomatoes"]);
  });

  it("refuses invalid listing queries with 400", async function () {
    expect(await validationPaths(await api.request("/api/products?limit=101"))).to.deep.equal(["query.limit"]);
    expect(await validationPaths(await api.request("/api/products?sort=cheapest"))).to.deep.equal(["query.sort"]);
    expect(await validationPaths(await api.request("/api/products?sort=relevance"))).to.deep.equal(["query.sort"]);
    expect(await validationPaths(await api.request("/api/products?minPrice=500&maxPrice=100"))).to.deep.equal([
      "query.minPrice",
    ]);
    expect(await validationPaths(await api.request("/api/products?category=gadgets"))).to.deep.equal([
      "query.category",
    ]);
    expect(await validationPaths(await api.request("/api/products?cursor=garbage"))).to.deep.equal(["query.cursor"]);
    const { nextCursor } = await list("limit=1&sort=price_asc");
    expect(
      await validationPaths(await api.request(`/api/products?limit=1&sort=newest&cursor=${nextCursor}`)),
    ).to.deep.equal(["query.cursor"]);
  });

  it("pages through every sort returning each product exactly once, even when products are inserted between pages", async function () {
    const farm = await api.database.pool.query<{ id: string }>("SELECT id FROM farms WHERE slug = 'tea-garden-greens'");
    // Thirty "pumpkin" products sharing one creation time and a few prices: only the id breaks the ties.
    await api.database.pool.query(
      `INSERT INTO products (id, farm_id, name, category, unit, price_minor, currency, stock, status, created_at)
       SELECT gen_random_uuid(), $1, 'Pumpkin ' || i, 'vegetables', 'piece', 100 + (i % 3) * 50, 'USD', 5, 'active',
         '2026-01-01T00:00:00Z'
       FROM generate_series(1, 30) AS i`,
      [farm.rows[0].id],
    );
    const expected = new Set(
      (await api.database.pool.query<{ id: string }>("SELECT id FROM products WHERE status = 'active'")).rows.map(
        (row) => row.id,
      ),
    );
    const pumpkins = new Set(
      (await api.database.pool.query<{ id: string }>("SELECT id FROM products WHERE name LIKE 'Pumpkin %'")).rows.map(
        (row) => row.id,
      ),
    );

    for (const [query, wanted] of [
      ["sort=newest", expected],
      ["sort=price_asc", expected],
      ["sort=price_desc", expected],
      ["q=pumpkin", pumpkins],
    ] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Listing = await list(`${query}&limit=7${cursor === null ? "" : `&cursor=${cursor}`}`);
        seen.push(...page.products.map((product) => product.id));
        cursor = page.nextCursor;
        pages++;
        // Inserted mid-way: a newer, cheaper and more expensive pumpkin than anything listed so far.
        await api.database.pool.query(
          `INSERT INTO products (id, farm_id, name, category, unit, price_minor, currency, stock, status)
           VALUES ($1, $2, 'Pumpkin late ' || $3, 'vegetables', 'piece', $4, 'USD', 5, 'active')`,
          [randomUUID(), farm.rows[0].id, `${query}-${pages}`, pages % 2 === 0 ? 1 : 99_999],
        );
      } while (cursor !== null);
      const original = seen.filter((id) => wanted.has(id));
      expect(new Set(seen).size, `${query}: duplicates`).to.equal(seen.length);
      expect(new Set(original), `${query}: every product`).to.deep.equal(new Set(wanted));
      expect(pages, query).to.be.greaterThan(1);
    }
  });

  it("serves a repeated listing from the cache, however its query is written, until a product changes", async function () {
    const hits = async () => {
      const metric = await api.metrics.cacheLookups.get();
      return metric.values.find((value) => value.labels.result === "hit")?.value ?? 0;
    };
    const before = await hits();
    const first = await list("category=grains&sort=price_asc");
    expect(await hits()).to.equal(before);
    await list("sort=price_asc&category=grains");
    await list("category=grains&limit=24&sort=price_asc");
    expect(await hits()).to.equal(before + 2);
    expect(first.products[0].priceMinor).to.equal(1200);

    const changed = await api.request(
      `/api/products/${ids["Basmati rice"]}`,
      bogura.json("PATCH", { priceMinor: 1100 }),
    );
    expect(changed.status).to.equal(200);
    const after = await list("category=grains&sort=price_asc");
    expect(await hits()).to.equal(before + 2);
    expect(after.products[0].priceMinor).to.equal(1100);
  });

  it("answers a repeated listing with 304 when its ETag matches", async function () {
    const response = await api.request("/api/products?category=oils");
    const tag = response.headers.get("etag");
    expect(tag).to.match(/^W\/".+"$/);
    const status = await new Promise<number>((resolve, reject) => {
      get(`${api.url}/api/products?category=oils`, { headers: { "If-None-Match": tag! } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      }).on("error", reject);
    });
    expect(status).to.equal(304);
  });

  it("shows a product page with its farm, price and stock", async function () {
    const response = await api.request(`/api/products/${ids["Mustard oil"]}`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.include({
      name: "Mustard oil",
      priceMinor: 900,
      currency: "USD",
      stock: 10,
      unit: "kg",
      photos: [],
      cover: null,
    });
  });
});
