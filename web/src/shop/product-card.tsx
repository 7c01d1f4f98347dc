import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import type { ProductSummary } from "../../../protocol/api/products";
import { PhotoImage } from "../components/photo-image";
import { UNIT_KEYS } from "../i18n/category-keys";
import { useFormat } from "../i18n/use-format";

/** A product in a grid: photo, name, farm, price per unit; the whole card links to the product page. */
export function ProductCard({ product, eager = false }: { product: ProductSummary; eager?: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <li className="card">
      <Link to={`/products/${product.id}`} className="card-link">
        {product.cover === null ? (
          <div className="photo photo-missing" aria-hidden="true" />
        ) : (
          <PhotoImage
            photo={product.cover}
            alt=""
            sizes="(min-width: 1100px) 260px, (min-width: 700px) 30vw, 46vw"
            eager={eager}
          />
        )}
        <span className="card-title">{product.name}</span>
      </Link>
      <span className="card-meta">{product.farm.name}</span>
      <span className="card-price">
        {t("product.pricePerUnit", {
          price: format.money(product.priceMinor, product.currency),
          unit: t(UNIT_KEYS[product.unit]),
        })}
      </span>
    </li>
  );
}
