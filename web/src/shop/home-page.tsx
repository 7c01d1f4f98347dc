import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { QueryState } from "../components/query-state";
import { FarmCard } from "./farm-card";
import { HOME_FEATURED_FARMS, HOME_FEATURED_PRODUCTS, HOME_PRODUCT_FILTERS } from "./page-reads";
import { ProductCard } from "./product-card";
import { useFarms, useProducts } from "./use-catalog";

/** The front page: the newest products and a few farms, with a way into the shop. */
export default function HomePage() {
  const { t } = useTranslation();
  const products = useProducts(HOME_PRODUCT_FILTERS, HOME_FEATURED_PRODUCTS);
  const farms = useFarms(HOME_FEATURED_FARMS);
  return (
    <>
      <section className="hero">
        <h1>{t("home.title")}</h1>
        <p>{t("home.intro")}</p>
        <Link className="button" to="/shop">
          {t("home.browse")}
        </Link>
      </section>
      <section aria-labelledby="featured-products">
        <h2 id="featured-products">{t("home.freshProducts")}</h2>
        {products.data === undefined ? (
          <QueryState error={products.error} />
        ) : (
          <ul className="grid">
            {products.data.products.map((product, index) => (
              <ProductCard key={product.id} product={product} eager={index < 2} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="featured-farms">
        <h2 id="featured-farms">{t("home.farms")}</h2>
        {farms.data === undefined ? (
          <QueryState error={farms.error} />
        ) : (
          <ul className="grid">
            {farms.data.farms.map((farm) => (
              <FarmCard key={farm.id} farm={farm} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
