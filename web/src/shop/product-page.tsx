import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { AddToCart } from "../cart-checkout/add-to-cart";
import { PhotoImage } from "../components/photo-image";
import { QueryState } from "../components/query-state";
import { CATEGORY_KEYS, UNIT_KEYS } from "../i18n/category-keys";
import { useFormat } from "../i18n/use-format";
import { useProduct } from "./use-catalog";

/** A product: photos, price, stock, farm, description and adding it to the cart. */
export default function ProductPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const product = useProduct(id);
  const format = useFormat();
  const [shown, setShown] = useState(0);

  if (product.data === undefined) return <QueryState error={product.error} />;
  const p = product.data;
  const photo = p.photos[Math.min(shown, p.photos.length - 1)];
  return (
    <article className="product">
      <div className="product-photos">
        {photo === undefined ? (
          <div className="photo photo-missing" aria-hidden="true" />
        ) : (
          <PhotoImage
            photo={photo}
            alt={p.name}
            sizes="(min-width: 900px) 50vw, 100vw"
            width={photo.width}
            height={photo.height}
            eager
          />
        )}
        {p.photos.length > 1 && (
          <ul className="thumbnails" aria-label={t("product.photos")}>
            {p.photos.map((item, index) => (
              <li key={item.id}>
                <button
                  type="button"
                  className="thumbnail"
                  aria-pressed={index === shown}
                  aria-label={t("product.showPhoto", { number: format.number(index + 1) })}
                  onClick={() => setShown(index)}
                >
                  <img src={item.thumbnailUrl} alt="" width={64} height={48} loading="lazy" />
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="product-details">
        <h1>{p.name}</h1>
        <p className="price">
          {t("product.pricePerUnit", { price: format.money(p.priceMinor, p.currency), unit: t(UNIT_KEYS[p.unit]) })}
        </p>
        <p>
          {p.stock > 0
            ? t("product.inStock", { stock: format.number(p.stock), unit: t(UNIT_KEYS[p.unit]) })
            : t("product.soldOut")}
        </p>
        <p>
          {t("product.from")} <Link to={`/farms/${p.farm.slug}`}>{p.farm.name}</Link> · {p.farm.region}
        </p>
        <p className="card-meta">{t(CATEGORY_KEYS[p.category])}</p>
        <AddToCart product={p} />
        {p.description !== "" && (
          <section aria-labelledby="about-product">
            <h2 id="about-product">{t("product.about")}</h2>
            <p>{p.description}</p>
          </section>
        )}
      </div>
    </article>
  );
}
