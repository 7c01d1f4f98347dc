import { useTranslation } from "react-i18next";

import { ApiError } from "../api/api-error";
import type { OrderSummary } from "../api/types";
import { useSession } from "../hooks/session-context";
import { useCardDelivery } from "../hooks/use-card-delivery";
import type { CardDeliveryStep } from "../hooks/use-card-delivery";
import { useMyFarm } from "../hooks/use-my-farm";

const STEP_LABELS: Readonly<Record<CardDeliveryStep, { action: string; hint: string }>> = {
  ship: { action: "orders.card.ship", hint: "orders.card.shipHint" },
  confirm: { action: "orders.card.confirm", hint: "orders.card.confirmHint" },
};

/** Why a delivery step failed, in words the viewer can act on. */
function failureKey(error: unknown): string {
  if (!(error instanceof ApiError)) return "orders.card.failedNetwork";
  if (error.code === "order_state_conflict") return "orders.card.failedState";
  if (error.status === 404 || error.status === 403) return "orders.card.failedNotYours";
  if (error.status === 503) return "orders.card.failedUnavailable";
  return "orders.card.failed";
}

function DeliveryStep({ order, step }: { order: OrderSummary; step: CardDeliveryStep }) {
  const { t } = useTranslation();
  const delivery = useCardDelivery(step);
  const labels = STEP_LABELS[step];
  return (
    <div className="card-order-step">
      <p className="hint">{t(labels.hint)}</p>
      <button type="button" className="button" disabled={delivery.isPending} onClick={() => delivery.mutate(order.id)}>
        {t(labels.action)}
      </button>
      {delivery.isError && (
        <p className="error" role="alert">
          {t(failureKey(delivery.error))}
        </p>
      )}
    </div>
  );
}

function FarmerShipStep({ order }: { order: OrderSummary }) {
  const farm = useMyFarm();
  if (farm.data?.id !== order.farm.id) return null;
  return <DeliveryStep order={order} step="ship" />;
}

/**
 * What the viewer may do now with a card order: its farm's farmer marks it shipped once paid, its buyer confirms
 * delivery once shipped. Renders nothing for escrow orders (they move on-chain) or when the viewer has nothing to do.
 */
export function CardOrderActions({ order }: { order: OrderSummary }) {
  const session = useSession();
  const user = session.user;
  if (order.paymentMethod !== "card" || user === undefined) return null;
  if (order.status === "shipped" && user.id === order.buyerId) return <DeliveryStep order={order} step="confirm" />;
  if (order.status === "paid" && user.id !== order.buyerId && user.roles.includes("farmer")) {
    return <FarmerShipStep order={order} />;
  }
  return null;
}
