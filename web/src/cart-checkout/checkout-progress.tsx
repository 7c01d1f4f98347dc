import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { QueryState } from "../components/query-state";
import { useFormat } from "../i18n/use-format";
import { STATUS_KEYS } from "../orders/order-keys";
import { forgetCheckoutKey } from "./checkout-key";
import { useCheckoutOrders } from "./use-checkout-orders";

/** Waits for every order of a checkout to be paid (the indexer saw the escrow, or the card webhook came). */
export function CheckoutProgress({ checkoutId }: { checkoutId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const orders = useCheckoutOrders(checkoutId);
  const list = orders.data ?? [];
  const paid = list.length > 0 && list.every((order) => order.status !== "awaiting_payment");
  useEffect(() => {
    if (!paid) return;
    forgetCheckoutKey("escrow");
    forgetCheckoutKey("card");
    forgetCheckoutKey("eth");
  }, [paid]);
  if (orders.data === undefined) return <QueryState error={orders.error} />;
  return (
    <section aria-labelledby="checkout-progress">
      <h2 id="checkout-progress">{paid ? t("checkout.paid") : t("checkout.waitingForPayment")}</h2>
      {!paid && (
        <p className="status" role="status">
          {t("checkout.indexing")}
        </p>
      )}
      <ul className="order-list">
        {list.map((order) => (
          <li key={order.id} className="order-row">
            <Link to={`/orders/${order.id}`}>{order.farm.name}</Link>
            <span>{format.money(order.totalMinor, order.currency)}</span>
            <span className={`order-status status-${order.status}`}>{t(STATUS_KEYS[order.status])}</span>
          </li>
        ))}
      </ul>
      {paid && (
        <Link className="button" to="/orders">
          {t("checkout.viewOrders")}
        </Link>
      )}
    </section>
  );
}
