import type { ProductCategory, ProductSort } from "../../../protocol/vocabulary/catalog-vocabulary";

export interface ProductFilters {
  q?: string;
  category?: ProductCategory;
  region?: string;
  farm?: string;
  /** Inclusive bounds, in minor units. */
  minPrice?: number;
  maxPrice?: number;
  sort?: ProductSort;
}

/** The API path of one page of products matching `filters`, from `cursor` on. */
export function productsPath(filters: ProductFilters, limit: number, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  params.set("limit", String(limit));
  if (cursor !== undefined) params.set("cursor", cursor);
  return `/api/products?${params.toString()}`;
}

export function productPath(id: string): string {
  return `/api/products/${encodeURIComponent(id)}`;
}

/** The API path of the first `limit` farms, in slug order. */
export function farmsPath(limit: number): string {
  return `/api/farms?limit=${limit}`;
}

export function farmPath(slug: string): string {
  return `/api/farms/${encodeURIComponent(slug)}`;
}
