import "../pages.css";

import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { QueryState } from "../components/query-state";
import { useFormat } from "../i18n/use-format";
import { NOTIFICATION_KEYS } from "./notification-keys";
import { useMarkRead, useNotifications } from "./use-notifications";

/** The signed-in user's notifications, newest first, each marked read on its own or all at once. */
export default function NotificationsPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const notifications = useNotifications();
  const markRead = useMarkRead();
  if (notifications.data === undefined) return <QueryState error={notifications.error} />;
  const items = notifications.data.items;
  return (
    <>
      <h1>{t("notifications.title")}</h1>
      {items.some((item) => item.readAt === null) && (
        <button
          type="button"
          className="button button-secondary"
          disabled={markRead.isPending}
          onClick={() => markRead.mutate(undefined)}
        >
          {t("notifications.markAllRead")}
        </button>
      )}
      {items.length === 0 ? (
        <p>{t("notifications.none")}</p>
      ) : (
        <ul className="notification-list">
          {items.map((item) => (
            <li key={item.id} className={item.readAt === null ? "notification unread" : "notification"}>
              <span>{t(NOTIFICATION_KEYS[item.kind] ?? "notifications.kind.other")}</span>
              <time dateTime={item.createdAt}>{format.date(item.createdAt)}</time>
              {item.orderId !== null && <Link to={`/orders/${item.orderId}`}>{t("notifications.openOrder")}</Link>}
              {item.readAt === null && (
                <button
                  type="button"
                  className="button button-secondary"
                  disabled={markRead.isPending}
                  onClick={() => markRead.mutate(item.id)}
                >
                  {t("notifications.markRead")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
