import type { EntityManager } from "@mikro-orm/postgresql";

import type { ProductCategory, ProductStatus, ProductUnit } from "../../../protocol/vocabulary/catalog-vocabulary.js";
import { ValidationError } from "../errors.js";
import { decodeProductCursor, encodeProductCursor } from "./product-cursor.js";
import type { ProductSort } from "../../../protocol/vocabulary/catalog-vocabulary.js";

export interface ProductSearch {
  /** Words as a person types them (web-search syntax: quotes, `or`, `-word`). */
  q?: string;
  category?: ProductCategory;
  /** The farm's region, any case. */
  region?: string;
  /** Farm slug. */
  farm?: string;
  minPrice?: number;
  maxPrice?: number;
  /** Defaults to relevance when searching, newest otherwise. */
  sort?: ProductSort;
  cursor?: string;
  limit: number;
  statuses: readonly ProductStatus[];
}

/** One row of a product listing, with its farm and the key of its cover photo. */
export interface ProductListRow {
  id: string;
  name: string;
  description: string;
  category: ProductCategory;
  unit: ProductUnit;
  priceMinor: number;
  currency: string;
  stock: number;
  status: ProductStatus;
  createdAt: string;
  updatedAt: string;
  farm: { id: string; slug: string; name: string; region: string };
  coverKey: string | null;
}

interface SqlRow {
  id: string;
  name: string;
  description: string;
  category: ProductCategory;
  unit: ProductUnit;
  price_minor: number;
  currency: string;
  stock: number;
  status: ProductStatus;
  created_key: string;
  created_at: Date;
  updated_at: Date;
  farm_id: string;
  farm_slug: string;
  farm_name: string;
  farm_region: string;
  cover_key: string | null;
  rank: string | null;
}

const RANK = "ts_rank(p.search, websearch_to_tsquery('english', ?))";

const ORDER: Record<ProductSort, { by: string; key: string; after: string }> = {
  newest: { by: "p.created_at DESC, p.id DESC", key: "p.created_at", after: "< (?::timestamptz, ?::uuid)" },
  price_asc: { by: "p.price_minor ASC, p.id ASC", key: "p.price_minor", after: "> (?::integer, ?::uuid)" },
  price_desc: { by: "p.price_minor DESC, p.id DESC", key: "p.price_minor", after: "< (?::integer, ?::uuid)" },
  relevance: { by: `${RANK} DESC, p.id DESC`, key: RANK, after: "< (?::real, ?::uuid)" },
};

/**
 * A page of products matching a search, in a total order (the sort key, then the id), with the cursor of the next
 * page. Keyset pagination: a page starts strictly after the previous page's last row, so rows inserted meanwhile
 * never shift a page and no row is returned twice.
 */
export async function searchProducts(
  em: EntityManager,
  search: ProductSearch,
): Promise<{ products: ProductListRow[]; nextCursor: string | null }> {
  const q = search.q?.trim() === "" ? undefined : search.q?.trim();
  const sort = search.sort ?? (q === undefined ? "newest" : "relevance");
  if (sort === "relevance" && q === undefined) {
    throw new ValidationError("The request is invalid", [{ path: "query.sort", message: "relevance needs a query q" }]);
  }
  const conditions: string[] = [`p.status IN (${search.statuses.map(() => "?").join(", ")})`];
  const where: unknown[] = [...search.statuses];
  if (q !== undefined) {
    conditions.push("p.search @@ websearch_to_tsquery('english', ?)");
    where.push(q);
  }
  if (search.category !== undefined) {
    conditions.push("p.category = ?");
    where.push(search.category);
  }
  if (search.region !== undefined) {
    conditions.push("lower(f.region) = lower(?)");
    where.push(search.region);
  }
  if (search.farm !== undefined) {
    conditions.push("f.slug = ?");
    where.push(search.farm);
  }
  if (search.minPrice !== undefined) {
    conditions.push("p.price_minor >= ?");
    where.push(search.minPrice);
  }
  if (search.maxPrice !== undefined) {
    conditions.push("p.price_minor <= ?");
    where.push(search.maxPrice);
  }
  const order = ORDER[sort];
  const rankParams = sort === "relevance" ? [q] : [];
  if (search.cursor !== undefined) {
    const cursor = decodeProductCursor(search.cursor, sort);
    conditions.push(`(${order.key}, p.id) ${order.after}`);
    where.push(...rankParams, cursor.key, cursor.id);
  }
  const rows = await em.execute<SqlRow[]>(
    `SELECT p.id, p.name, p.description, p.category, p.unit, p.price_minor, p.currency, p.stock, p.status,
        to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key,
        p.created_at, p.updated_at,
        f.id AS farm_id, f.slug AS farm_slug, f.name AS farm_name, f.region AS farm_region,
        (SELECT ph.key FROM product_photos ph WHERE ph.product_id = p.id ORDER BY ph.position, ph.id LIMIT 1)
          AS cover_key,
        ${sort === "relevance" ? `${RANK}::text` : "NULL"} AS rank
      FROM products p JOIN farms f ON f.id = p.farm_id
      WHERE ${conditions.join(" AND ")}
      ORDER BY ${order.by}
      LIMIT ?`,
    [...rankParams, ...where, ...rankParams, search.limit + 1],
  );
  const page = rows.slice(0, search.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > search.limit && last !== undefined
      ? encodeProductCursor({ sort, key: cursorKey(sort, last), id: last.id })
      : null;
  return { products: page.map(toListRow), nextCursor };
}

function cursorKey(sort: ProductSort, row: SqlRow): string {
  if (sort === "newest") return row.created_key;
  if (sort === "relevance") return row.rank ?? "0";
  return String(row.price_minor);
}

function toListRow(row: SqlRow): ProductListRow {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    category: row.category,
    unit: row.unit,
    priceMinor: row.price_minor,
    currency: row.currency,
    stock: row.stock,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    farm: { id: row.farm_id, slug: row.farm_slug, name: row.farm_name, region: row.farm_region },
    coverKey: row.cover_key,
  };
}
