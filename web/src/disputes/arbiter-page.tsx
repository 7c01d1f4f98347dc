import "../pages.css";

import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { useSession } from "../api/session-context";
import { QueryState } from "../components/query-state";
import { DisputeList } from "./dispute-list";
import { useDisputeQueue } from "./use-disputes";

/** Arbiters: the open disputes, oldest first, each leading to its evidence, thread and ruling. */
export default function ArbiterPage() {
  const { t } = useTranslation();
  const session = useSession();
  const queue = useDisputeQueue();
  const user = session.user;
  if (user !== undefined && !user.roles.includes("arbiter")) {
    return (
      <>
        <h1>{t("arbiter.title")}</h1>
        <p>{t("arbiter.notArbiter")}</p>
        {user.roles.includes("admin") && (
          <p>
            <Link to="/admin">{t("arbiter.toAdmin")}</Link>
          </p>
        )}
      </>
    );
  }
  if (queue.data === undefined) return <QueryState error={queue.error} />;
  return (
    <>
      <h1>{t("arbiter.title")}</h1>
      <p className="hint">{t("arbiter.intro")}</p>
      {queue.data.disputes.length === 0 ? <p>{t("arbiter.empty")}</p> : <DisputeList disputes={queue.data.disputes} />}
      <p>
        <Link to="/orders">{t("orders.back")}</Link>
      </p>
    </>
  );
}
