import { useInfiniteQuery, useQuery } from "@tanstack/react-query";

import { farmPath, farmsPath, productPath, productsPath } from "../api/catalog-paths";
import type { ProductFilters } from "../api/catalog-paths";
import { takeArrivedRead, takeEarlyRead } from "../api/early-reads";
import { requestJson } from "../api/request-json";
import type { FarmDetail, FarmPage, Product, ProductPage } from "../api/types";

export type { ProductFilters };

// A catalog read the page's start made early (first-page.ts) serves the query that asks for it first: as initial
// data when it has arrived by the first render, else as the query's first fetch.
function read<T>(path: string, signal: AbortSignal): Promise<T> {
  return takeEarlyRead<T>(path) ?? requestJson<T>(path, { signal });
}

function arrived<T, D = T>(path: string, shape: (body: T) => D) {
  const early = takeArrivedRead<T>(path);
  return early === undefined ? {} : { initialData: shape(early.body), initialDataUpdatedAt: early.at };
}

/** One page of products on sale. */
export function useProducts(filters: ProductFilters, limit: number) {
  const path = productsPath(filters, limit);
  return useQuery({
    queryKey: ["products", filters, limit],
    queryFn: ({ signal }) => read<ProductPage>(path, signal),
    ...arrived<ProductPage>(path, (body) => body),
  });
}

/** Products on sale, page after page, following the API's cursor. */
export function useProductPages(filters: ProductFilters, limit: number) {
  const first = productsPath(filters, limit);
  return useInfiniteQuery({
    queryKey: ["products", "pages", filters, limit],
    queryFn: ({ signal, pageParam }) =>
      pageParam === undefined
        ? read<ProductPage>(first, signal)
        : requestJson<ProductPage>(productsPath(filters, limit, pageParam), { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    ...arrived<ProductPage, { pages: ProductPage[]; pageParams: (string | undefined)[] }>(first, (body) => ({
      pages: [body],
      pageParams: [undefined],
    })),
  });
}

export function useProduct(id: string) {
  const path = productPath(id);
  return useQuery({
    queryKey: ["product", id],
    queryFn: ({ signal }) => read<Product>(path, signal),
    ...arrived<Product>(path, (body) => body),
  });
}

/** Farms in slug order (the API's only order), up to `limit`. */
export function useFarms(limit: number) {
  const path = farmsPath(limit);
  return useQuery({
    queryKey: ["farms", limit],
    queryFn: ({ signal }) => read<FarmPage>(path, signal),
    ...arrived<FarmPage>(path, (body) => body),
  });
}

export function useFarm(slug: string) {
  const path = farmPath(slug);
  return useQuery({
    queryKey: ["farm", slug],
    queryFn: ({ signal }) => read<FarmDetail>(path, signal),
    ...arrived<FarmDetail>(path, (body) => body),
  });
}
