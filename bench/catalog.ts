import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

import { MikroORM } from "@mikro-orm/postgresql";

import { searchProducts } from "../api/src/catalog/search-products.js";
import type { ProductSearch } from "../api/src/catalog/search-products.js";
import { createOrmConfig } from "../api/src/database/orm-config.js";
import { runMigrations } from "../api/src/database/run-migrations.js";
import { createDiskPhotoStore } from "../api/src/photos/photo-store.js";
import { insertBulkProducts, seedCatalog } from "../scripts/seed-catalog.js";
import { createTestDatabase } from "../test/support/database.js";

// `npm run bench:catalog`: listing and search latency over a catalog of BENCH_PRODUCTS (default 10,000) products on
// the local PostgreSQL. Prints figures and writes bench/results/catalog.json; it asserts nothing.
const count = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const ROUNDS = 30;

const database = await createTestDatabase("agridao_bench_catalog");
const uploadDir = await mkdtemp(path.join(tmpdir(), "agridao-bench-"));
const orm = await MikroORM.init(
  createOrmConfig({ databaseUrl: `postgres://postgres@127.0.0.1:5432/${database.name}`, poolMax: 2 }),
);
try {
  await runMigrations(orm);
  await seedCatalog({ orm, photoStore: createDiskPhotoStore({ dir: uploadDir }) });
  const { rows: farms } = await database.pool.query<{ id: string }>("SELECT id FROM farms");
  const insertStart = performance.now();
  await insertBulkProducts(orm.em.fork(), { farmIds: farms.map((farm) => farm.id), count });
  const insertMs = performance.now() - insertStart;
  await database.pool.query("ANALYZE");
  console.log(`Inserted ${count.toLocaleString("en")} products in ${insertMs.toFixed(0)} ms`);

  const base: ProductSearch = { limit: 24, statuses: ["active"] };
  const deepCursor = async (search: ProductSearch, pages: number) => {
    let cursor: string | undefined;
    for (let page = 0; page < pages; page++) {
      cursor = (await searchProducts(orm.em.fork(), { ...search, cursor })).nextCursor ?? undefined;
    }
    return cursor;
  };
  const cases: [string, ProductSearch][] = [
    ["newest, first page", base],
    ["newest, page 50", { ...base, cursor: await deepCursor(base, 49) }],
    ["price ascending", { ...base, sort: "price_asc" }],
    ["category and price range", { ...base, category: "fruits", minPrice: 1_000, maxPrice: 5_000 }],
    ["region", { ...base, region: "khulna" }],
    ["search 'organic mango', by relevance", { ...base, q: "organic mango" }],
    ["search 'rice', newest", { ...base, q: "rice", sort: "newest" }],
  ];
  const results: Record<string, { medianMs: number; p95Ms: number }> = {};
  for (const [name, search] of cases) {
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const start = performance.now();
      await searchProducts(orm.em.fork(), search);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    results[name] = {
      medianMs: Number(times[Math.floor(ROUNDS / 2)].toFixed(2)),
      p95Ms: Number(times[Math.floor(ROUNDS * 0.95)].toFixed(2)),
    };
    console.log(`${name.padEnd(40)} median ${results[name].medianMs} ms, p95 ${results[name].p95Ms} ms`);
  }
  const outFile = path.join(import.meta.dirname, "results", "catalog.json");
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(
    outFile,
    `${JSON.stringify({ products: count, insertMs: Math.round(insertMs), queries: results }, null, 2)}\n`,
  );
  console.log(`Wrote ${path.relative(process.cwd(), outFile)}`);
} finally {
  await orm.close();
  await database.drop();
  await rm(uploadDir, { recursive: true, force: true });
}
