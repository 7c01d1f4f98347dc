import { useId, useMemo } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";

import type { ProductSort } from "../../../protocol/vocabulary/catalog-vocabulary";
import { formText } from "../components/form-text";
import { QueryState } from "../components/query-state";
import { CATEGORIES, CATEGORY_KEYS } from "../i18n/category-keys";
import { useFormat } from "../i18n/use-format";
import { REGION_SOURCE_FARMS, SHOP_CURRENCY, SHOP_PAGE_SIZE, shopFilters } from "./page-reads";
import { ProductCard } from "./product-card";
import { useFarms, useProductPages } from "./use-catalog";

const SORT_KEYS: Readonly<Record<ProductSort, string>> = {
  newest: "shop.sort.newest",
  price_asc: "shop.sort.priceAsc",
  price_desc: "shop.sort.priceDesc",
  relevance: "shop.sort.relevance",
};

/** Browse the shop: search, filter by category, region and price, sort, and load more pages. */
export default function ShopPage() {
  const { t } = useTranslation();
  const id = useId();
  const [params, setParams] = useSearchParams();
  const format = useFormat();
  const filters = useMemo(() => shopFilters(params), [params]);
  const pages = useProductPages(filters, SHOP_PAGE_SIZE);
  const farms = useFarms(REGION_SOURCE_FARMS);
  const regions = useMemo(
    () => [...new Set((farms.data?.farms ?? []).map((farm) => farm.region))].sort(),
    [farms.data],
  );

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const name of ["q", "category", "region", "min", "max", "sort"]) {
      const value = formText(form, name).trim();
      if (value !== "") next.set(name, value);
    }
    setParams(next);
  };

  const products = pages.data?.pages.flatMap((page) => page.products) ?? [];
  return (
    <>
      <h1>{t("shop.title")}</h1>
      <form className="filters" role="search" onSubmit={apply} key={params.toString()}>
        <div className="field field-wide">
          <label htmlFor={`${id}-q`}>{t("shop.search")}</label>
          <input id={`${id}-q`} name="q" type="search" defaultValue={params.get("q") ?? ""} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-category`}>{t("shop.category")}</label>
          <select id={`${id}-category`} name="category" defaultValue={params.get("category") ?? ""}>
            <option value="">{t("shop.anyCategory")}</option>
            {CATEGORIES.map((category) => (
              <option key={category} value={category}>
                {t(CATEGORY_KEYS[category])}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-region`}>{t("shop.region")}</label>
          <select id={`${id}-region`} name="region" defaultValue={params.get("region") ?? ""}>
            <option value="">{t("shop.anyRegion")}</option>
            {regions.map((region) => (
              <option key={region} value={region}>
                {region}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-min`}>{t("shop.minPrice", { currency: SHOP_CURRENCY })}</label>
          <input
            id={`${id}-min`}
            name="min"
            type="number"
            min="0"
            step="0.01"
            inputMode="decimal"
            defaultValue={params.get("min") ?? ""}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-max`}>{t("shop.maxPrice", { currency: SHOP_CURRENCY })}</label>
          <input
            id={`${id}-max`}
            name="max"
            type="number"
            min="0"
            step="0.01"
            inputMode="decimal"
            defaultValue={params.get("max") ?? ""}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-sort`}>{t("shop.sortBy")}</label>
          <select id={`${id}-sort`} name="sort" defaultValue={params.get("sort") ?? ""}>
            <option value="">{t("shop.sort.default")}</option>
            {(Object.keys(SORT_KEYS) as ProductSort[]).map((sort) => (
              <option key={sort} value={sort}>
                {t(SORT_KEYS[sort])}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          {t("shop.apply")}
        </button>
      </form>
      {pages.data === undefined ? (
        <QueryState error={pages.error} />
      ) : products.length === 0 ? (
        <p className="status" role="status">
          {t("shop.noResults")}
        </p>
      ) : (
        <>
          <p className="status" role="status">
            {t("shop.showing", { count: products.length, n: format.number(products.length) })}
          </p>
          <ul className="grid">
            {products.map((product, index) => (
              <ProductCard key={product.id} product={product} eager={index < 2} />
            ))}
          </ul>
          {pages.hasNextPage && (
            <button
              type="button"
              className="button button-secondary"
              disabled={pages.isFetchingNextPage}
              onClick={() => void pages.fetchNextPage()}
            >
              {pages.isFetchingNextPage ? t("common.loading") : t("shop.loadMore")}
            </button>
          )}
        </>
      )}
    </>
  );
}
