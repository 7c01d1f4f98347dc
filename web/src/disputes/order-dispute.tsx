import { useTranslation } from "react-i18next";

import type { OrderDetail } from "../../../protocol/api/orders";
import { useSession } from "../api/session-context";
import { QueryState } from "../components/query-state";
import { useMyFarm } from "../farmer/use-my-farm";
import { actionOf } from "../orders/order-action";
import { DisputeCase } from "./dispute-case";
import { OpenDisputeForm } from "./open-dispute-form";
import { useDispute, useOpenDispute, useOrderDisputes } from "./use-disputes";

/**
 * The order's dispute on its page: the latest one with its thread and evidence, or, for a card order that may be
 * disputed, the form to open one. An escrow order is disputed from its wallet panel, which sends openDispute.
 */
export function OrderDispute({ order }: { order: OrderDetail }) {
  const { t } = useTranslation();
  const session = useSession();
  const disputes = useOrderDisputes(order.id);
  const openCard = useOpenDispute(order.id);
  const latest = disputes.data?.disputes[0];
  const dispute = useDispute(latest?.id);
  const roles = session.user?.roles ?? [];
  const farm = useMyFarm({ enabled: roles.includes("farmer") });
  // Only the order's two sides open a dispute; they and arbiters write to it; an admin (or an arbiter who is no
  // party) sees the order as staff and only reads, as the API allows.
  const party = session.user?.id === order.buyerId || (farm.data != null && farm.data.id === order.farm.id);
  const canWrite = party || roles.includes("arbiter");
  // The API offers openDispute to a party while the order may be disputed and no dispute is open.
  const disputable = actionOf(order, "openDispute") !== undefined;
  const cardForm = disputable && order.paymentMethod === "card";
  const escrowHint = disputable && order.paymentMethod === "escrow";
  if (disputes.data === undefined) return disputes.error == null ? null : <QueryState error={disputes.error} />;
  if (latest === undefined && !cardForm && !escrowHint) return null;
  return (
    <section aria-labelledby="dispute">
      <h2 id="dispute">{t("disputes.title")}</h2>
      {latest !== undefined &&
        (dispute.data === undefined ? (
          <QueryState error={dispute.error} />
        ) : (
          <DisputeCase dispute={dispute.data} canWrite={canWrite} />
        ))}
      {openCard.data?.photoFailed === true && (
        <p className="error" role="alert">
          {t("disputes.photoFailed")}
        </p>
      )}
      {cardForm && (
        <OpenDisputeForm
          onSubmit={(input) => openCard.mutate(input)}
          busy={openCard.isPending}
          failed={openCard.isError}
        />
      )}
      {escrowHint && <p className="hint">{t("disputes.escrowHint")}</p>}
    </section>
  );
}
