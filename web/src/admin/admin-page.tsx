import "../pages.css";

import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import type { AdminOverview } from "../../../protocol/api/admin-overview";
import { QueryState } from "../components/query-state";
import { DisputeList } from "../disputes/dispute-list";
import { useAdminOverview } from "../disputes/use-disputes";
import { useFormat } from "../i18n/use-format";
import { FLAG_KEYS } from "../orders/order-keys";
import { useOrderFlags } from "../orders/use-orders";

function FlaggedPayments() {
  const { t } = useTranslation();
  const format = useFormat();
  const flags = useOrderFlags();
  if (flags.data === undefined) return <QueryState error={flags.error} />;
  return flags.data.flags.length === 0 ? (
    <p>{t("admin.noFlags")}</p>
  ) : (
    <table className="flag-table">
      <thead>
        <tr>
          <th scope="col">{t("admin.kind")}</th>
          <th scope="col">{t("admin.order")}</th>
          <th scope="col">{t("admin.when")}</th>
          <th scope="col">{t("admin.details")}</th>
        </tr>
      </thead>
      <tbody>
        {flags.data.flags.map((flag) => (
          <tr key={flag.id}>
            <td>{t(FLAG_KEYS[flag.kind])}</td>
            <td>
              {flag.orderId === null ? (
                t("admin.noOrder")
              ) : (
                <Link to={`/orders/${flag.orderId}`} aria-label={t("admin.openOrder", { id: flag.orderId })}>
                  <code>{flag.orderId}</code>
                </Link>
              )}
            </td>
            <td>{format.date(flag.createdAt)}</td>
            <td>
              <code>{JSON.stringify(flag.details)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ReconciliationRuns({ runs }: { runs: AdminOverview["reconciliationRuns"] }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (runs.length === 0) return <p>{t("admin.noRuns")}</p>;
  return (
    <table className="flag-table" data-testid="reconciliation-runs">
      <thead>
        <tr>
          <th scope="col">{t("admin.finishedAt")}</th>
          <th scope="col">{t("admin.window")}</th>
          <th scope="col">{t("admin.differences")}</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id}>
            <td>{format.date(run.finishedAt)}</td>
            <td>{t("admin.windowRange", { from: format.date(run.windowFrom), to: format.date(run.windowTo) })}</td>
            <td className={run.differences > 0 ? "error" : undefined}>
              {run.differences === 0 ? t("admin.allMatched") : format.number(run.differences)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Admins: payments that did not match their orders and were held, the open disputes (oldest first), and the latest
 * Stripe reconciliation runs with how many differences each found.
 */
export default function AdminPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const overview = useAdminOverview();
  return (
    <>
      <h1>{t("admin.heading")}</h1>
      <section aria-labelledby="flagged">
        <h2 id="flagged">{t("admin.title")}</h2>
        <FlaggedPayments />
      </section>
      {overview.data === undefined ? (
        <QueryState error={overview.error} />
      ) : (
        <>
          <section aria-labelledby="open-disputes">
            <h2 id="open-disputes">
              {t("admin.openDisputes", { n: format.number(overview.data.openDisputes.count) })}
            </h2>
            {overview.data.openDisputes.count === 0 ? (
              <p>{t("admin.noDisputes")}</p>
            ) : (
              <DisputeList disputes={overview.data.openDisputes.oldest} />
            )}
          </section>
          <section aria-labelledby="reconciliation">
            <h2 id="reconciliation">{t("admin.reconciliation")}</h2>
            <ReconciliationRuns runs={overview.data.reconciliationRuns} />
          </section>
        </>
      )}
    </>
  );
}
