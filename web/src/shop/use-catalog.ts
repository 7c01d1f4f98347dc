import { useInfiniteQuery, useQuery } from "@tanstack/react-query";

import type { FarmDetail, FarmPage } from "../../../protocol/api/farms";
import type { Product, ProductPage } from "../../../protocol/api/products";
import { farmPath, farmsPath, productPath, productsPath } from "../api/catalog-paths";
import type { ProductFilters } from "../api/catalog-paths";
import { takeArrivedRead, takeEarlyRead } from "../api/early-reads";
import { requestJson } from "../api/request-json";

export type { ProductFilters };

// A catalog read the page's start made early (first-page.ts) serves the query that asks for it first: as initial
// data when it has arrived by the first render, else as the query's first fetch. The signal is read only for a request
// made now: an early read cannot be cancelled, and TanStack Query cancels (and then repeats) a fetch whose signal was
// read when its page unmounts and mounts again, as React's strict mode does.
function read<T>(path: string, context: { signal: AbortSignal }): Promise<T> {
  return takeEarlyRead<T>(path) ?? requestJson<T>(path, { signal: context.signal });
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
    queryFn: (context) => read<ProductPage>(path, context),
    ...arrived<ProductPage>(path, (body) => body),
  });
}

/** Products on sale, page after page, following the API's cursor. */
export function useProductPages(filters: ProductFilters, limit: number) {
  const first = productsPath(filters, limit);
  return useInfiniteQuery({
    queryKey: ["products", "pages", filters, limit],
    queryFn: (context) =>
      context.pageParam === undefined
        ? read<ProductPage>(first, context)
        : requestJson<ProductPage>(productsPath(filters, limit, context.pageParam), { signal: context.signal }),
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
    queryFn: (context) => read<Product>(path, context),
    ...arrived<Product>(path, (body) => body),
  });
}

/** Farms in slug order (the API's only order), up to `limit`. */
export function useFarms(limit: number) {
  const path = farmsPath(limit);
  return useQuery({
    queryKey: ["farms", limit],
    queryFn: (context) => read<FarmPage>(path, context),
    ...arrived<FarmPage>(path, (body) => body),
  });
}

export function useFarm(slug: string) {
  const path = farmPath(slug);
  return useQuery({
    queryKey: ["farm", slug],
    queryFn: (context) => read<FarmDetail>(path, context),
    ...arrived<FarmDetail>(path, (body) => body),
  });
}
