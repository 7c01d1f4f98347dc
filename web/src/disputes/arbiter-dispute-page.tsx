import "../pages.css";

import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import type { DisputeDetail } from "../../../protocol/api/disputes";
import { useSession } from "../api/session-context";
import { QueryState } from "../components/query-state";
import { useFormat } from "../i18n/use-format";
import { DisputeCase } from "./dispute-case";
import { RulingForm } from "./ruling-form";
import { useDispute, useRuleDispute } from "./use-disputes";

// The wallet stack loads only to rule on an escrow order: its `rule` call is sent from the arbiter's wallet.
const ArbiterEscrowRuling = lazy(() =>
  import("../wallet/arbiter-escrow-ruling").then((module) => ({ default: module.ArbiterEscrowRuling })),
);

function CardRuling({ dispute }: { dispute: DisputeDetail }) {
  const { t } = useTranslation();
  const rule = useRuleDispute(dispute.id);
  return (
    <>
      <p className="hint">{t("arbiter.cardHint")}</p>
      <RulingForm
        totalMinor={dispute.order.totalMinor}
        currency={dispute.order.currency}
        onRule={(share) => rule.mutate(share)}
        busy={rule.isPending}
        error={rule.error}
      />
    </>
  );
}

/** One dispute for an arbiter: the order, the evidence and thread (which they may write to), and the ruling. */
export default function ArbiterDisputePage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const format = useFormat();
  const session = useSession();
  const dispute = useDispute(id);
  if (dispute.data === undefined) return <QueryState error={dispute.error} />;
  const d = dispute.data;
  const arbiter = session.user?.roles.includes("arbiter") === true;
  return (
    <>
      <p>
        <Link to={arbiter ? "/arbiter" : "/admin"}>{t(arbiter ? "arbiter.back" : "admin.back")}</Link>
      </p>
      <h1>{t("arbiter.disputeOver", { farm: d.order.farm.name })}</h1>
      <p>
        {format.money(d.order.totalMinor, d.order.currency)} ·{" "}
        {t(d.order.paymentMethod === "escrow" ? "orders.paidByWallet" : "orders.paidByCard")}
      </p>
      <section aria-labelledby="dispute">
        <h2 id="dispute">{t("disputes.title")}</h2>
        <DisputeCase dispute={d} canWrite={arbiter} />
      </section>
      {arbiter && d.status === "open" && (
        <section aria-labelledby="ruling">
          <h2 id="ruling">{t("arbiter.rulingTitle")}</h2>
          {d.order.paymentMethod === "escrow" ? (
            <Suspense fallback={<QueryState error={undefined} />}>
              <ArbiterEscrowRuling dispute={d} />
            </Suspense>
          ) : (
            <CardRuling dispute={d} />
          )}
        </section>
      )}
    </>
  );
}
