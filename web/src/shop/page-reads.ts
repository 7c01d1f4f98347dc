import type { ProductSort } from "../../../protocol/vocabulary/catalog-vocabulary";
import { farmPath, farmsPath, productPath, productsPath } from "../api/catalog-paths";
import type { ProductFilters } from "../api/catalog-paths";
import { minorPerMajor } from "../i18n/minor-units";

// What the catalog pages read first, in one place: the pages render these reads, and the app's start (first-page.ts)
// makes the same reads early, which only helps when the two ask for exactly the same paths.

export const HOME_FEATURED_FARMS = 4;
export const HOME_FEATURED_PRODUCTS = 8;
export const HOME_PRODUCT_FILTERS: ProductFilters = { sort: "newest" };

export const SHOP_PAGE_SIZE = 12;
// The API's regions are free text on farms; the shop's filter offers those of the first farms (the seed has a handful).
export const REGION_SOURCE_FARMS = 100;
// Prices are typed in major units of the shop's currency: the API's SHOP_CURRENCY, given to the build as
// VITE_SHOP_CURRENCY (both default to US dollars).
export const SHOP_CURRENCY: string = (import.meta.env.VITE_SHOP_CURRENCY as string | undefined) ?? "USD";

export const FARM_PAGE_SIZE = 12;

/** The shop's filters as its URL's search parameters give them (prices typed in major units). */
export function shopFilters(params: URLSearchParams): ProductFilters {
  const price = (name: string) => {
    const value = Number(params.get(name) ?? "");
    return params.get(name) === null || params.get(name) === "" || !Number.isFinite(value)
      ? undefined
      : Math.round(value * minorPerMajor(SHOP_CURRENCY));
  };
  const q = params.get("q") ?? "";
  const sort = (params.get("sort") ?? "") as ProductSort | "";
  return {
    q: q === "" ? undefined : q,
    category: (params.get("category") ?? undefined) as ProductFilters["category"],
    region: params.get("region") ?? undefined,
    minPrice: price("min"),
    maxPrice: price("max"),
    // Relevance needs a query; without one the newest come first.
    sort: sort === "" || (sort === "relevance" && q === "") ? undefined : sort,
  };
}

/** The catalog reads a page makes as it first renders, by its path's segments after the first and its search. */
export const FIRST_READS: Readonly<Record<string, (rest: string[], search: URLSearchParams) => string[]>> = {
  "": () => [productsPath(HOME_PRODUCT_FILTERS, HOME_FEATURED_PRODUCTS), farmsPath(HOME_FEATURED_FARMS)],
  shop: (rest, search) =>
    rest.length > 0 ? [] : [productsPath(shopFilters(search), SHOP_PAGE_SIZE), farmsPath(REGION_SOURCE_FARMS)],
  products: (rest) => (rest.length === 1 ? [productPath(rest[0])] : []),
  farms: (rest) => (rest.length === 1 ? [farmPath(rest[0]), productsPath({ farm: rest[0] }, FARM_PAGE_SIZE)] : []),
};
