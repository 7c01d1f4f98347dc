import "../pages.css";

import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { useSession } from "../api/session-context";
import { QueryState } from "../components/query-state";
import { useFormat } from "../i18n/use-format";
import { CardOrderActions } from "../orders/card-order-actions";
import { STATUS_KEYS } from "../orders/order-keys";
import { walletActionsOf } from "../orders/order-action";
import { paidAfterRelease } from "../orders/paid-after-release";
import { useFarmerOrders } from "../orders/use-orders";
import { FarmProducts } from "./farm-products";
import { FarmProfileForm } from "./farm-profile-form";
import { SalesChart } from "./sales-chart";
import { useMyFarm } from "./use-my-farm";

const EscrowWalletPanel = lazy(() =>
  import("../wallet/escrow-wallet-panel").then((module) => ({ default: module.EscrowWalletPanel })),
);

/** The farmer's dashboard: incoming orders, shipping escrow orders from the farm's wallet, credits, and sales. */
export default function FarmerPage() {
  const { t } = useTranslation();
  const session = useSession();
  const format = useFormat();
  const orders = useFarmerOrders();
  const farm = useMyFarm();
  if (session.ready && session.user === undefined) {
    return (
      <p>
        {t("orders.signInFirst")} <Link to="/sign-in">{t("nav.signIn")}</Link>
      </p>
    );
  }
  if (orders.data === undefined || farm.data === undefined) return <QueryState error={orders.error ?? farm.error} />;
  const list = orders.data.orders;
  // Escrow orders under way, and any the API offers a wallet call on (a payment that came after its order ended).
  const onChain = list.filter(
    (order) =>
      order.escrow?.orderId != null &&
      (order.status === "paid" || order.status === "shipped" || walletActionsOf(order).length > 0),
  );
  return (
    <>
      <h1>{t("farmer.title")}</h1>
      <section aria-labelledby="sales">
        <h2 id="sales">{t("farmer.sales")}</h2>
        <SalesChart orders={list} />
      </section>
      <section aria-labelledby="incoming">
        <h2 id="incoming">{t("farmer.incoming")}</h2>
        {list.length === 0 ? (
          <p>{t("orders.none")}</p>
        ) : (
          <ul className="order-list">
            {list.map((order) => (
              <li key={order.id} className="order-row">
                <span>{order.items.map((item) => `${format.number(item.quantity)} × ${item.name}`).join(", ")}</span>
                <time dateTime={order.createdAt}>{format.date(order.createdAt)}</time>
                <span>{format.money(order.totalMinor, order.currency)}</span>
                <span className={`order-status status-${order.status}`}>{t(STATUS_KEYS[order.status])}</span>
                {paidAfterRelease(order) && <span className="error">{t("escrow.paidAfterRelease")}</span>}
                <CardOrderActions order={order} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="farm-profile">
        <h2 id="farm-profile">{t("farmer.profile")}</h2>
        <FarmProfileForm farm={farm.data} />
      </section>
      {farm.data !== null && (
        <section aria-labelledby="farm-products">
          <h2 id="farm-products">{t("farmer.products")}</h2>
          <FarmProducts slug={farm.data.slug} />
        </section>
      )}
      <section aria-labelledby="farmer-wallet">
        <h2 id="farmer-wallet">{t("farmer.wallet")}</h2>
        <Suspense fallback={<QueryState error={undefined} />}>
          <EscrowWalletPanel
            orders={onChain.map((order) => ({
              escrowOrderId: order.escrow!.orderId!,
              actions: walletActionsOf(order),
              label: order.items.map((item) => item.name).join(", "),
              released: paidAfterRelease(order),
            }))}
            credits
          />
        </Suspense>
      </section>
    </>
  );
}
