import { randomUUID } from "node:crypto";

import type pg from "pg";

import { migrate } from "../../indexer/src/migrations.js";

/** A user row (access tokens name users that must exist), returning its id. */
export async function insertUser(pool: pg.Pool, roles: string[] = ["buyer"]): Promise<string> {
  const id = randomUUID();
  await pool.query("INSERT INTO users (id, email, roles) VALUES ($1, $2, $3)", [id, `${id}@example.com`, roles]);
  return id;
}

/** A farm with an owner of its own, returning its id. */
export async function insertFarm(pool: pg.Pool, name: string): Promise<string> {
  const id = randomUUID();
  const owner = await insertUser(pool, ["buyer", "farmer"]);
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${id.slice(0, 8)}`;
  await pool.query("INSERT INTO farms (id, owner_id, name, slug, region) VALUES ($1, $2, $3, $4, 'Rajshahi')", [
    id,
    owner,
    name,
    slug,
  ]);
  return id;
}

export interface ProductFixture {
  name?: string;
  priceMinor: number;
  stock: number;
  status?: "draft" | "active" | "archived";
  currency?: string;
}

/** A product of the farm (active, USD, sold by the kg unless told otherwise), returning its id. */
export async function insertProduct(pool: pg.Pool, farmId: string, product: ProductFixture): Promise<string> {
  const id = randomUUID();
  await pool.query(
    `INSERT INTO products (id, farm_id, name, category, unit, price_minor, currency, stock, status)
     VALUES ($1, $2, $3, 'vegetables', 'kg', $4, $5, $6, $7)`,
    [
      id,
      farmId,
      product.name ?? `Product ${id.slice(0, 8)}`,
      product.priceMinor,
      product.currency ?? "USD",
      product.stock,
      product.status ?? "active",
    ],
  );
  return id;
}

/** Creates the indexer's schema in the API's test database, as it is when both share one database. */
export async function installIndexerSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await migrate(client);
  } finally {
    client.release();
  }
}

/** Records escrow terms as the indexer does on a TermsUpdated event. */
export async function insertEscrowTerms(
  pool: pg.Pool,
  terms: { chainId: number; firstOrderId: number; feeBps: number },
): Promise<void> {
  await pool.query(
    `INSERT INTO indexer.escrow_terms
       (chain_id, first_order_id, fee_bps, ship_window, confirm_window, arbitration_timeout, updated_block)
     VALUES ($1, $2, $3, 3600, 3600, 86400, 1)`,
    [terms.chainId, terms.firstOrderId, terms.feeBps],
  );
}
