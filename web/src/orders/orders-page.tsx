import "../pages.css";

import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { useSession } from "../api/session-context";
import { QueryState } from "../components/query-state";
import { useFormat } from "../i18n/use-format";
import { STATUS_KEYS } from "./order-keys";
import { useOrders } from "./use-orders";

/** The buyer's orders, newest first, with their status. */
export default function OrdersPage() {
  const { t } = useTranslation();
  const session = useSession();
  const orders = useOrders();
  const format = useFormat();
  if (session.ready && session.user === undefined) {
    return (
      <p>
        {t("orders.signInFirst")} <Link to="/sign-in">{t("nav.signIn")}</Link>
      </p>
    );
  }
  if (orders.data === undefined) return <QueryState error={orders.error} />;
  return (
    <>
      <h1>{t("orders.title")}</h1>
      {orders.data.orders.length === 0 ? (
        <p>{t("orders.none")}</p>
      ) : (
        <ul className="order-list">
          {orders.data.orders.map((order) => (
            <li key={order.id} className="order-row">
              <Link to={`/orders/${order.id}`}>{order.farm.name}</Link>
              <time dateTime={order.createdAt}>{format.date(order.createdAt)}</time>
              <span>{format.money(order.totalMinor, order.currency)}</span>
              <span className={`order-status status-${order.status}`}>{t(STATUS_KEYS[order.status])}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
