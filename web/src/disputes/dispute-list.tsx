import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import type { DisputeSummary } from "../../../protocol/api/disputes";
import { useFormat } from "../i18n/use-format";
import { DISPUTE_STATUS_KEYS, PARTY_KEYS } from "./dispute-keys";

/** Disputes as rows: the farm, the order's total and payment, who opened it and why; each links to its page. */
export function DisputeList({ disputes }: { disputes: DisputeSummary[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <ul className="order-list">
      {disputes.map((dispute) => (
        <li key={dispute.id} className="order-row">
          <Link to={`/arbiter/disputes/${dispute.id}`}>
            {t("arbiter.disputeOver", { farm: dispute.order.farm.name })}
          </Link>
          <span>{format.money(dispute.order.totalMinor, dispute.order.currency)}</span>
          <span>{t(dispute.order.paymentMethod === "escrow" ? "orders.paidByWallet" : "orders.paidByCard")}</span>
          <span>{t(DISPUTE_STATUS_KEYS[dispute.status])}</span>
          <span>
            {t("arbiter.openedByOn", {
              party: t(dispute.openedBy.party === null ? "disputes.party.unknown" : PARTY_KEYS[dispute.openedBy.party]),
              date: format.date(dispute.openedAt),
            })}
          </span>
          <q>{dispute.reason}</q>
        </li>
      ))}
    </ul>
  );
}
