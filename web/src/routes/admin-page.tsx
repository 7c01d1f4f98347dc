import "../pages.css";

import { useTranslation } from "react-i18next";

import { QueryState } from "../components/query-state";
import { useFormat } from "../hooks/use-format";
import { useOrderFlags } from "../hooks/use-orders";
import { FLAG_KEYS } from "../orders/order-keys";

/** Admins: payments that did not match their orders and were held, not accepted. */
export default function AdminPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const flags = useOrderFlags();
  if (flags.data === undefined) return <QueryState error={flags.error} />;
  return (
    <>
      <h1>{t("admin.title")}</h1>
      {flags.data.flags.length === 0 ? (
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
                <td>{flag.orderId === null ? t("admin.noOrder") : <code>{flag.orderId}</code>}</td>
                <td>{format.date(flag.createdAt)}</td>
                <td>
                  <code>{JSON.stringify(flag.details)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
