import { useTranslation } from "react-i18next";

import type { OrderSummary } from "../../../protocol/api/orders";
import { ApiError } from "../api/api-error";
import { useSession } from "../api/session-context";
import { useFormat } from "../i18n/use-format";
import { actionOf } from "./order-action";
import { useCardDelivery, useCardPaymentPage } from "./use-card-delivery";
import type { CardDeliveryStep } from "./use-card-delivery";

const STEP_LABELS: Readonly<Record<CardDeliveryStep, { action: string; hint: string }>> = {
  ship: { action: "orders.card.ship", hint: "orders.card.shipHint" },
  confirm: { action: "orders.card.confirm", hint: "orders.card.confirmHint" },
};

/** Why a delivery step failed, in words the viewer can act on. */
function failureKey(error: unknown): string {
  if (!(error instanceof ApiError)) return "orders.card.failedNetwork";
  if (error.code === "order_state_conflict") return "orders.card.failedState";
  if (error.code === "ship_deadline_passed") return "orders.card.failedShipDeadline";
  if (error.status === 404 || error.status === 403) return "orders.card.failedNotYours";
  if (error.status === 503) return "orders.card.failedUnavailable";
  return "orders.card.failed";
}

/** Why the payment page could not be reopened. */
function payFailureKey(error: unknown): string {
  if (error instanceof ApiError && error.code === "payment_page_closed") return "orders.card.payClosed";
  return failureKey(error);
}

/** The buyer of an unpaid card order goes back to its Stripe payment page (a tab closed, a card declined). */
function PayAgain({ order }: { order: OrderSummary }) {
  const { t } = useTranslation();
  const page = useCardPaymentPage();
  return (
    <div className="card-order-step">
      <p className="hint">{t("orders.card.payHint")}</p>
      <button
        type="button"
        className="button"
        disabled={page.isPending || page.isSuccess}
        onClick={() => page.mutate(order.id, { onSuccess: ({ url }) => location.assign(url) })}
      >
        {t("orders.card.pay")}
      </button>
      {page.isError && (
        <p className="error" role="alert">
          {t(payFailureKey(page.error))}
        </p>
      )}
    </div>
  );
}

/**
 * What the viewer may do now with a card order, as the API offers it (`actions`): its buyer pays it while unpaid,
 * its farm's farmer marks it shipped once paid, its buyer confirms delivery once shipped. Renders nothing for escrow
 * orders (they move on-chain) or when the viewer has nothing to do; a refused step stays explained after the order
 * has moved on.
 */
export function CardOrderActions({ order }: { order: OrderSummary }) {
  const { t } = useTranslation();
  const format = useFormat();
  const session = useSession();
  const delivery = useCardDelivery();
  if (order.paymentMethod !== "card" || session.user === undefined) return null;
  if (actionOf(order, "pay") !== undefined) return <PayAgain order={order} />;
  const step: CardDeliveryStep | undefined =
    actionOf(order, "confirmDelivery") !== undefined
      ? "confirm"
      : actionOf(order, "ship") !== undefined
        ? "ship"
        : undefined;
  const isBuyer = session.user.id === order.buyerId;
  return (
    <>
      {order.status === "paid" && order.shipBy !== null && (
        <p className="hint" data-testid="ship-by">
          {t(isBuyer ? "orders.card.shipByBuyer" : "orders.card.shipByFarm", {
            date: format.dateTime(order.shipBy),
          })}
        </p>
      )}
      {step !== undefined && (
        <div className="card-order-step">
          <p className="hint">{t(STEP_LABELS[step].hint)}</p>
          <button
            type="button"
            className="button"
            disabled={delivery.isPending}
            onClick={() => delivery.mutate({ orderId: order.id, step })}
          >
            {t(STEP_LABELS[step].action)}
          </button>
        </div>
      )}
      {delivery.isError && (
        <p className="error" role="alert">
          {t(failureKey(delivery.error))}
        </p>
      )}
    </>
  );
}
