import "../pages.css";

import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { ApiError } from "../api/api-error";
import { EthQuoteSummary } from "../cart-checkout/eth-quote-summary";
import { QueryState } from "../components/query-state";
import { OrderDispute } from "../disputes/order-dispute";
import { UNIT_KEYS } from "../i18n/category-keys";
import { useFormat } from "../i18n/use-format";
import { CardOrderActions } from "./card-order-actions";
import { actionOf, walletActionsOf } from "./order-action";
import { ESCROW_STATE_KEYS, FLAG_KEYS, STATUS_KEYS } from "./order-keys";
import { OrderTimeline } from "./order-timeline";
import { paidAfterRelease } from "./paid-after-release";
import { StaffRefundForm } from "./staff-refund-form";
import { useCancelOrder, useOrder } from "./use-orders";

// The wallet stack loads only for an escrow order that still has something to do on-chain.
const ESCROW_ACTIVE = ["paid", "shipped", "disputed", "refunded", "resolved"];
const EscrowWalletPanel = lazy(() =>
  import("../wallet/escrow-wallet-panel").then((module) => ({ default: module.EscrowWalletPanel })),
);

/** One order: its lines, status, flags, merged timeline, and what the viewer may do now. */
export default function OrderPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const format = useFormat();
  const order = useOrder(id);
  const cancel = useCancelOrder();
  if (order.data === undefined) return <QueryState error={order.error} />;
  const o = order.data;
  const money = (minor: number) => format.money(minor, o.currency);
  const released = paidAfterRelease(o);
  const cancelPending = cancel.error instanceof ApiError && cancel.error.code === "payment_pending";
  return (
    <>
      <p>
        <Link to="/orders">{t("orders.back")}</Link>
      </p>
      <h1>{t("orders.orderFrom", { farm: o.farm.name })}</h1>
      <p>
        <span className={`order-status status-${o.status}`} data-testid="order-status">
          {t(STATUS_KEYS[o.status])}
        </span>{" "}
        ·{" "}
        {t(
          o.escrow?.quote != null
            ? "orders.paidInEth"
            : o.paymentMethod === "escrow"
              ? "orders.paidByWallet"
              : "orders.paidByCard",
        )}
      </p>
      <ul className="cart-lines">
        {o.items.map((item) => (
          <li key={item.productId} className="cart-line">
            <span>{item.name}</span>
            <span>
              {format.number(item.quantity)} × {money(item.unitPriceMinor)} / {t(UNIT_KEYS[item.unit])}
            </span>
            <span className="cart-line-total">{money(item.lineTotalMinor)}</span>
          </li>
        ))}
      </ul>
      <dl className="totals">
        <dt>{t("cart.total")}</dt>
        <dd>{money(o.totalMinor)}</dd>
        <dt>{t("cart.platformFee")}</dt>
        <dd>{money(o.feeMinor)}</dd>
      </dl>
      {o.escrow?.onChain != null && (
        <p data-testid="escrow-state">
          {t("escrow.onChainState", {
            id: o.escrow.orderId,
            state: t(ESCROW_STATE_KEYS[o.escrow.onChain.state]),
            fee: format.number(o.escrow.onChain.feeBps / 100),
          })}
        </p>
      )}
      {released && (
        <p className="error" role="status" data-testid="paid-after-release">
          {t("orders.paidAfterRelease", { date: format.date(o.escrow!.onChain!.deadline) })}
        </p>
      )}
      {o.escrow?.quote != null && (
        <section aria-labelledby="eth-quote">
          <h2 id="eth-quote">{t("orders.ethQuoteTitle")}</h2>
          <EthQuoteSummary wei={o.escrow.amount} quote={o.escrow.quote} currency={o.currency} live={false} />
        </section>
      )}
      {o.flags.length > 0 && (
        <section aria-labelledby="flags" className="flags">
          <h2 id="flags">{t("orders.flagsTitle")}</h2>
          <ul>
            {o.flags.map((flag) => (
              <li key={`${flag.kind}-${flag.createdAt}`} className="error">
                {t(FLAG_KEYS[flag.kind])} ({format.date(flag.createdAt)})
                {flag.resolvedAt !== null && ` · ${t("orders.flagResolved")}`}
              </li>
            ))}
          </ul>
        </section>
      )}
      {o.status === "awaiting_payment" && <p>{t("orders.awaitingUntil", { date: format.date(o.expiresAt) })}</p>}
      {actionOf(o, "cancel") !== undefined && (
        <>
          <button
            type="button"
            className="button button-danger"
            disabled={cancel.isPending}
            onClick={() => cancel.mutate(o.id)}
          >
            {t("orders.cancel")}
          </button>
          {cancel.isError && (
            <p className="error" role="alert">
              {t(cancelPending ? "orders.cancelPaymentPending" : "orders.cancelFailed")}
            </p>
          )}
        </>
      )}
      <CardOrderActions order={o} />
      {o.escrow?.orderId != null && (ESCROW_ACTIVE.includes(o.status) || released) && (
        <section aria-labelledby="escrow-actions">
          <h2 id="escrow-actions">{t("escrow.title")}</h2>
          <Suspense fallback={<QueryState error={undefined} />}>
            <EscrowWalletPanel
              orders={[{ escrowOrderId: o.escrow.orderId, actions: walletActionsOf(o) }]}
              credits
              dispute={{ orderId: o.id, status: o.status, currency: o.currency, totalMinor: o.totalMinor }}
            />
          </Suspense>
        </section>
      )}
      <OrderDispute order={o} />
      <StaffRefundForm order={o} />
      <section aria-labelledby="timeline">
        <h2 id="timeline">{t("orders.timeline")}</h2>
        <OrderTimeline events={o.timeline} currency={o.currency} />
      </section>
    </>
  );
}
