import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { createDiskPhotoStore } from "../../api/src/photos/photo-store.js";
import { insertBulkProducts, localFarmerAddresses, seedCatalog } from "../../scripts/seed-catalog.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";

describe("Catalog seed data", function () {
  let api: ApiTestApp;
  let uploadDir: string;

  before(async function () {
    uploadDir = await mkdtemp(path.join(tmpdir(), "agridao-seed-"));
    api = await startApiApp({ env: { UPLOAD_DIR: uploadDir } });
  });

  after(async function () {
    await api?.close();
    await rm(uploadDir, { recursive: true, force: true });
  });

  const counts = async () => {
    const { rows } = await api.database.pool.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM wallets) AS wallets,
         (SELECT count(*) FROM farms) AS farms, (SELECT count(*) FROM products) AS products,
         (SELECT count(*) FROM product_photos) AS photos, (SELECT count(*) FROM stock_changes) AS changes`,
    );
    return Object.fromEntries(Object.entries(rows[0]).map(([key, value]) => [key, Number(value)]));
  };

  it("derives the local farmer addresses from Hardhat's mnemonic", function () {
    expect(localFarmerAddresses()).to.deep.equal([
      "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
      "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
      "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65",
    ]);
  });

  it("seeds farms owned by the local farmer wallets, with products and generated photos, and is idempotent", async function () {
    const photoStore = createDiskPhotoStore({ dir: uploadDir });
    const first = await seedCatalog({ orm: api.orm, photoStore, currency: "USD" });
    expect(first).to.deep.equal({ farms: 3, products: 30, createdFarms: 3, createdProducts: 30 });
    const afterFirst = await counts();
    expect(afterFirst).to.deep.equal({ users: 3, wallets: 3, farms: 3, products: 30, photos: 30, changes: 30 });

    const second = await seedCatalog({ orm: api.orm, photoStore, currency: "USD" });
    expect(second).to.deep.include({ createdFarms: 0, createdProducts: 0 });
    expect(await counts()).to.deep.equal(afterFirst);
    expect(
      (await readdir(uploadDir, { recursive: true })).filter((file) => file.endsWith("display.webp")),
    ).to.have.length(30);

    const { rows } = await api.database.pool.query<{ address: string; payout_wallet: string; roles: string[] }>(
      `SELECT w.address, f.payout_wallet, u.roles FROM farms f JOIN wallets w ON w.user_id = f.owner_id
         JOIN users u ON u.id = f.owner_id ORDER BY f.slug`,
    );
    expect(rows.map((row) => row.address)).to.have.members(localFarmerAddresses());
    for (const row of rows) expect(row.payout_wallet).to.equal(row.address);
    for (const row of rows) expect(row.roles).to.include("farmer");

    const listing = (await (await api.request("/api/products?limit=100")).json()) as {
      products: { cover: { displayUrl: string } | null; category: string }[];
    };
    expect(listing.products).to.have.length(30);
    expect(new Set(listing.products.map((product) => product.category)).size).to.be.greaterThan(8);
    const cover = await api.request(listing.products[0].cover!.displayUrl);
    expect(cover.headers.get("content-type")).to.equal("image/webp");
  });

  it("bulk-inserts ten thousand searchable products with their stock history", async function () {
    const { rows: farms } = await api.database.pool.query<{ id: string }>("SELECT id FROM farms");
    const before = await counts();
    await insertBulkProducts(api.orm.em.fork(), { farmIds: farms.map((farm) => farm.id), count: 10_000 });
    const after = await counts();
    expect(after.products - before.products).to.equal(10_000);
    expect(after.changes - before.changes).to.equal(10_000);
    const { rows } = await api.database.pool.query<{ count: string }>(
      "SELECT count(*) FROM products WHERE search @@ websearch_to_tsquery('english', 'mango')",
    );
    expect(Number(rows[0].count)).to.be.greaterThan(300);
    const page = (await (await api.request("/api/products?q=organic%20mango&limit=5")).json()) as {
      products: unknown[];
    };
    expect(page.products).to.have.length(5);
  });
});
