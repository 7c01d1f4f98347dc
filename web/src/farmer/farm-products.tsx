import { useEffect, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";

import type { ProductSummary, StockLevels } from "../../../protocol/api/products";
import type { ProductCategory, ProductUnit } from "../../../protocol/vocabulary/catalog-vocabulary";
import { formText } from "../components/form-text";
import { PhotoImage } from "../components/photo-image";
import { CATEGORIES, CATEGORY_KEYS, UNIT_KEYS } from "../i18n/category-keys";
import { useFormat } from "../i18n/use-format";
import { useFarmProducts, useFarmStock, useProductActions } from "./use-my-farm";

const UNITS = Object.keys(UNIT_KEYS) as ProductUnit[];

const STATUS_KEYS = {
  draft: "farmer.status.draft",
  active: "farmer.status.active",
  archived: "farmer.status.archived",
} as const;

/** Price in the form's major units (e.g. "6.50") to integer minor units. */
function toMinor(text: string): number {
  return Math.round(Number(text) * 100);
}

/** On hand and available, and what open orders hold of it: the farmer counts what is on hand, buyers see available. */
function StockSummary({ levels }: { levels: StockLevels }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <span className="stock-levels" data-testid="stock-levels">
      <span>
        {t("farmer.stockLevels", { onHand: format.number(levels.onHand), available: format.number(levels.available) })}
      </span>
      {levels.held + levels.awaitingShipment > 0 && (
        <span className="hint">
          {t("farmer.stockCommitted", {
            held: format.number(levels.held),
            awaiting: format.number(levels.awaitingShipment),
          })}
        </span>
      )}
      {levels.shortfall > 0 && (
        <span className="error">{t("farmer.stockShortfall", { count: format.number(levels.shortfall) })}</span>
      )}
    </span>
  );
}

function ProductRow({ product, levels }: { product: ProductSummary; levels: StockLevels | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  const actions = useProductActions();
  const [preview, setPreview] = useState<{ file: File; url: string } | undefined>(undefined);
  useEffect(() => () => (preview === undefined ? undefined : URL.revokeObjectURL(preview.url)), [preview]);
  const saveStock = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    actions.setStock.mutate({ id: product.id, stock: Number(formText(form, "stock")), note: t("farmer.stockNote") });
  };
  const savePrice = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    actions.update.mutate({
      id: product.id,
      priceMinor: toMinor(formText(new FormData(event.currentTarget), "price")),
    });
  };
  const failed = actions.setStock.isError || actions.update.isError || actions.addPhoto.isError;
  return (
    <li className="farm-product">
      {product.cover !== null && (
        <span className="product-thumb">
          <PhotoImage photo={product.cover} alt="" sizes="80px" />
        </span>
      )}
      <strong>{product.name}</strong>
      <span>{t(STATUS_KEYS[product.status])}</span>
      <span>{format.money(product.priceMinor, product.currency)}</span>
      <form className="inline-form" onSubmit={savePrice}>
        <label>
          {t("farmer.price")}
          <input
            name="price"
            type="number"
            min="0.01"
            step="0.01"
            defaultValue={(product.priceMinor / 100).toFixed(2)}
          />
        </label>
        <button type="submit" className="button button-secondary">
          {t("farmer.save")}
        </button>
      </form>
      {levels !== undefined && <StockSummary levels={levels} />}
      {/* Keyed by the count, so a new count from the API replaces the field's default. */}
      <form className="inline-form" onSubmit={saveStock} key={levels?.onHand}>
        <label>
          {t("farmer.onHandCount")}
          <input name="stock" type="number" min="0" step="1" defaultValue={levels?.onHand ?? product.stock} />
        </label>
        <button type="submit" className="button button-secondary">
          {t("farmer.save")}
        </button>
      </form>
      <div className="inline-form">
        <label>
          {t("farmer.photo")}
          <input
            type="file"
            accept="image/jpeg,image/png,image/webp"
            onChange={(event) => {
              const file = event.target.files?.[0];
              setPreview(file === undefined ? undefined : { file, url: URL.createObjectURL(file) });
            }}
          />
        </label>
        {preview !== undefined && (
          <>
            <img src={preview.url} alt={t("farmer.photoPreview")} className="product-thumb" width={80} height={80} />
            <button
              type="button"
              className="button"
              disabled={actions.addPhoto.isPending}
              onClick={() =>
                actions.addPhoto.mutate(
                  { id: product.id, file: preview.file },
                  { onSuccess: () => setPreview(undefined) },
                )
              }
            >
              {t("farmer.upload")}
            </button>
          </>
        )}
      </div>
      <div className="action-row">
        {product.status !== "active" && product.status !== "archived" && (
          <button
            type="button"
            className="button"
            onClick={() => actions.update.mutate({ id: product.id, status: "active" })}
          >
            {t("farmer.publish")}
          </button>
        )}
        {product.status !== "archived" && (
          <button
            type="button"
            className="button button-secondary"
            onClick={() => actions.update.mutate({ id: product.id, status: "archived" })}
          >
            {t("farmer.archive")}
          </button>
        )}
      </div>
      {failed && (
        <p className="error" role="alert">
          {t("farmer.saveFailed")}
        </p>
      )}
    </li>
  );
}

/** The farm's products: a form for a new one, and each product's price, stock, photos and status. */
export function FarmProducts({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const products = useFarmProducts(slug);
  const stock = useFarmStock(slug);
  const { create } = useProductActions();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    create.mutate(
      {
        name: formText(form, "name"),
        description: formText(form, "description"),
        category: formText(form, "category") as ProductCategory,
        unit: formText(form, "unit") as ProductUnit,
        priceMinor: toMinor(formText(form, "price")),
        stock: Number(formText(form, "stock")),
        status: "draft",
      },
      { onSuccess: () => element.reset() },
    );
  };
  return (
    <>
      <form className="stack-form" onSubmit={submit}>
        <h3>{t("farmer.newProduct")}</h3>
        <label>
          {t("farmer.productName")}
          <input name="name" required maxLength={120} />
        </label>
        <label>
          {t("farmer.description")}
          <textarea name="description" rows={2} maxLength={5000} />
        </label>
        <label>
          {t("farmer.category")}
          <select name="category">
            {CATEGORIES.map((category) => (
              <option key={category} value={category}>
                {t(CATEGORY_KEYS[category])}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("farmer.unit")}
          <select name="unit">
            {UNITS.map((unit) => (
              <option key={unit} value={unit}>
                {t(UNIT_KEYS[unit])}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("farmer.price")}
          <input name="price" type="number" min="0.01" step="0.01" required />
        </label>
        <label>
          {t("farmer.stock")}
          <input name="stock" type="number" min="0" step="1" required defaultValue={0} />
        </label>
        <button type="submit" className="button" disabled={create.isPending}>
          {t("farmer.addProduct")}
        </button>
        {create.isError && (
          <p className="error" role="alert">
            {t("farmer.saveFailed")}
          </p>
        )}
      </form>
      <ul className="farm-products">
        {(products.data ?? []).map((product) => (
          <ProductRow key={product.id} product={product} levels={stock.data?.get(product.id)} />
        ))}
      </ul>
    </>
  );
}
