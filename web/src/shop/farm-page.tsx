import { useTranslation } from "react-i18next";
import { useParams } from "react-router";

import { PhotoImage } from "../components/photo-image";
import { QueryState } from "../components/query-state";
import { useFormat } from "../i18n/use-format";
import { FARM_PAGE_SIZE } from "./page-reads";
import { ProductCard } from "./product-card";
import { useFarm, useProductPages } from "./use-catalog";

/** A farm's profile and the products it has on sale. */
export default function FarmPage() {
  const { t } = useTranslation();
  const { slug = "" } = useParams();
  const farm = useFarm(slug);
  const pages = useProductPages({ farm: slug }, FARM_PAGE_SIZE);
  const format = useFormat();

  if (farm.data === undefined) return <QueryState error={farm.error} />;
  const products = pages.data?.pages.flatMap((page) => page.products) ?? [];
  return (
    <>
      <section className="farm-profile">
        {farm.data.photo !== null && (
          <PhotoImage photo={farm.data.photo} alt={farm.data.name} sizes="(min-width: 900px) 40vw, 100vw" eager />
        )}
        <div>
          <h1>{farm.data.name}</h1>
          <p className="card-meta">{farm.data.region}</p>
          <p>{farm.data.description}</p>
          <p>
            {t("farm.productsOnSale", {
              count: farm.data.activeProductsCount,
              n: format.number(farm.data.activeProductsCount),
            })}
          </p>
        </div>
      </section>
      <section aria-labelledby="farm-products">
        <h2 id="farm-products">{t("farm.products")}</h2>
        {pages.data === undefined ? (
          <QueryState error={pages.error} />
        ) : (
          <ul className="grid">
            {products.map((product) => (
              <ProductCard key={product.id} product={product} />
            ))}
          </ul>
        )}
        {pages.hasNextPage && (
          <button type="button" className="button button-secondary" onClick={() => void pages.fetchNextPage()}>
            {t("shop.loadMore")}
          </button>
        )}
      </section>
    </>
  );
}
