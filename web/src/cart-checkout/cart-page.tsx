import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import type { CartLine } from "../../../protocol/api/cart";
import { QueryState } from "../components/query-state";
import { UNIT_KEYS } from "../i18n/category-keys";
import { useFormat } from "../i18n/use-format";
import { useCart, useSetCartQuantity } from "./use-cart";

const PROBLEM_KEYS: Readonly<Record<NonNullable<CartLine["problem"]>, string>> = {
  not_on_sale: "cart.problem.notOnSale",
  currency_mismatch: "cart.problem.currencyMismatch",
  insufficient_stock: "cart.problem.insufficientStock",
};

/** The cart, one group per farm (each is paid as its own order), with the platform fee and the total. */
export default function CartPage() {
  const { t } = useTranslation();
  const cart = useCart();
  const setQuantity = useSetCartQuantity();
  const format = useFormat();

  if (cart.data === undefined) return <QueryState error={cart.error} />;
  const { groups, currency } = cart.data;
  if (groups.length === 0 || currency === null) {
    return (
      <>
        <h1>{t("cart.title")}</h1>
        <p>{t("cart.empty")}</p>
        <Link className="button" to="/shop">
          {t("home.browse")}
        </Link>
      </>
    );
  }
  const money = (minor: number) => format.money(minor, currency);
  const fee = cart.data.platformFee;
  return (
    <>
      <h1>{t("cart.title")}</h1>
      {groups.map((group) => (
        <section className="cart-group" key={group.farm.id} aria-labelledby={`farm-${group.farm.id}`}>
          <h2 id={`farm-${group.farm.id}`}>
            <Link to={`/farms/${group.farm.slug}`}>{group.farm.name}</Link>
          </h2>
          <ul className="cart-lines">
            {group.lines.map((line) => (
              <li className="cart-line" key={line.productId}>
                <Link to={`/products/${line.productId}`} className="cart-line-name">
                  {line.name}
                </Link>
                <span>
                  {t("product.pricePerUnit", { price: money(line.unitPriceMinor), unit: t(UNIT_KEYS[line.unit]) })}
                </span>
                <label className="visually-hidden" htmlFor={`quantity-${line.productId}`}>
                  {t("cart.quantityOf", { name: line.name })}
                </label>
                <select
                  id={`quantity-${line.productId}`}
                  value={line.quantity}
                  disabled={setQuantity.isPending}
                  onChange={(event) =>
                    setQuantity.mutate({ productId: line.productId, quantity: Number(event.target.value) })
                  }
                >
                  {Array.from({ length: Math.max(line.quantity, Math.min(line.stock, 20)) }, (_, i) => i + 1).map(
                    (n) => (
                      <option key={n} value={n}>
                        {format.number(n)}
                      </option>
                    ),
                  )}
                </select>
                <span className="cart-line-total">{money(line.lineTotalMinor)}</span>
                <button
                  type="button"
                  className="button button-secondary"
                  disabled={setQuantity.isPending}
                  onClick={() => setQuantity.mutate({ productId: line.productId, quantity: 0 })}
                >
                  {t("cart.remove")}
                  <span className="visually-hidden"> {line.name}</span>
                </button>
                {line.problem !== null && (
                  <p className="error" role="alert">
                    {t(PROBLEM_KEYS[line.problem], { stock: format.number(line.stock) })}
                  </p>
                )}
              </li>
            ))}
          </ul>
          <dl className="totals">
            <dt>{t("cart.subtotal")}</dt>
            <dd>{money(group.subtotalMinor)}</dd>
            <dt>{t("cart.platformFee")}</dt>
            <dd>{group.platformFeeMinor === null ? t("cart.feeUnknown") : money(group.platformFeeMinor)}</dd>
            <dt>{t("cart.farmReceives")}</dt>
            <dd>{group.farmReceivesMinor === null ? t("cart.feeUnknown") : money(group.farmReceivesMinor)}</dd>
          </dl>
        </section>
      ))}
      <section className="cart-summary" aria-labelledby="cart-total">
        <h2 id="cart-total">{t("cart.total")}</h2>
        <p className="price">{money(cart.data.totalMinor)}</p>
        <p className="card-meta">
          {fee.status === "known"
            ? t("cart.feeIncluded", { percent: format.number(fee.feeBps / 100) })
            : t("cart.feeUnknownExplained")}
        </p>
        <p className="card-meta">{t("cart.checkoutSoon")}</p>
        <Link className="button" to="/checkout">
          {t("cart.checkout")}
        </Link>
      </section>
    </>
  );
}
