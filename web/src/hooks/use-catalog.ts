import { useInfiniteQuery, useQuery } from "@tanstack/react-query";

import { requestJson } from "../api/request-json";
import type { FarmDetail, FarmPage, Product, ProductCategory, ProductPage, ProductSort } from "../api/types";

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

function productsPath(filters: ProductFilters, limit: number, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  params.set("limit", String(limit));
  if (cursor !== undefined) params.set("cursor", cursor);
  return `/api/products?${params.toString()}`;
}

/** One page of products on sale. */
export function useProducts(filters: ProductFilters, limit: number) {
  return useQuery({
    queryKey: ["products", filters, limit],
    queryFn: ({ signal }) => requestJson<ProductPage>(productsPath(filters, limit), { signal }),
  });
}

/** Products on sale, page after page, following the API's cursor. */
export function useProductPages(filters: ProductFilters, limit: number) {
  return useInfiniteQuery({
    queryKey: ["products", "pages", filters, limit],
    queryFn: ({ signal, pageParam }) => requestJson<ProductPage>(productsPath(filters, limit, pageParam), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useProduct(id: string) {
  return useQuery({
    queryKey: ["product", id],
    queryFn: ({ signal }) => requestJson<Product>(`/api/products/${encodeURIComponent(id)}`, { signal }),
  });
}

/** Farms in slug order (the API's only order), up to `limit`. */
export function useFarms(limit: number) {
  return useQuery({
    queryKey: ["farms", limit],
    queryFn: ({ signal }) => requestJson<FarmPage>(`/api/farms?limit=${limit}`, { signal }),
  });
}

export function useFarm(slug: string) {
  return useQuery({
    queryKey: ["farm", slug],
    queryFn: ({ signal }) => requestJson<FarmDetail>(`/api/farms/${encodeURIComponent(slug)}`, { signal }),
  });
}
