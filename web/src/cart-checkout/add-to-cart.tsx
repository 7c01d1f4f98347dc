import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import type { Product } from "../../../protocol/api/products";
import { ApiError } from "../api/api-error";
import { useFormat } from "../i18n/use-format";
import { useCart, useSetCartQuantity } from "./use-cart";

/** Quantity and an "add to cart" button; adding sets the line to what is already there plus the quantity. */
export function AddToCart({ product }: { product: Product }) {
  const { t } = useTranslation();
  const id = useId();
  const cart = useCart();
  const setQuantity = useSetCartQuantity();
  const format = useFormat();
  const [quantity, setQuantityInput] = useState(1);
  const inCart =
    cart.data?.groups.flatMap((group) => group.lines).find((line) => line.productId === product.id)?.quantity ?? 0;
  const soldOut = product.stock === 0;

  const failure =
    setQuantity.error instanceof ApiError && setQuantity.error.status === 409
      ? t("cart.error.notAvailable")
      : setQuantity.error === null
        ? undefined
        : t("cart.error.failed");

  return (
    <form
      className="add-to-cart"
      onSubmit={(event) => {
        event.preventDefault();
        setQuantity.mutate({ productId: product.id, quantity: inCart + quantity });
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-quantity`}>{t("product.quantity")}</label>
        <input
          id={`${id}-quantity`}
          type="number"
          min={1}
          max={Math.max(1, product.stock - inCart)}
          value={quantity}
          onChange={(event) => setQuantityInput(Math.max(1, Math.floor(Number(event.target.value) || 1)))}
          disabled={soldOut}
        />
      </div>
      <button type="submit" className="button" disabled={soldOut || setQuantity.isPending}>
        {soldOut ? t("product.soldOut") : t("product.addToCart")}
      </button>
      <p className="status" role="status">
        {setQuantity.isSuccess && (
          <>
            {t("product.added", { count: inCart, n: format.number(inCart) })}{" "}
            <Link to="/cart">{t("product.viewCart")}</Link>
          </>
        )}
      </p>
      {failure !== undefined && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
    </form>
  );
}
