import { useTranslation } from "react-i18next";
import { NavLink } from "react-router";

import { useFormat } from "../hooks/use-format";
import { useUnreadCount } from "../hooks/use-notifications";
import { useLiveEvents } from "./use-live-events";

/** The header's link to the notifications with the unread count, kept live by the event stream. */
export function NotificationBell() {
  const { t } = useTranslation();
  const format = useFormat();
  const unread = useUnreadCount().data?.unread ?? 0;
  useLiveEvents();
  return (
    <NavLink to="/notifications" aria-label={t("notifications.bell", { count: unread, n: format.number(unread) })}>
      <span aria-hidden="true">🔔</span>
      {unread > 0 && (
        <span className="badge" aria-hidden="true">
          {format.number(unread)}
        </span>
      )}
    </NavLink>
  );
}
