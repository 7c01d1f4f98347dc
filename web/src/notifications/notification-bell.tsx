import { useTranslation } from "react-i18next";
import { NavLink } from "react-router";

import { useFormat } from "../i18n/use-format";
import { useLiveEvents } from "./use-live-events";
import { useUnreadCount } from "./use-notifications";

/** The header's link to the notifications with the unread count, kept live by the event stream. */
export function NotificationBell() {
  const { t } = useTranslation();
  const format = useFormat();
  const unread = useUnreadCount().data?.unread ?? 0;
  useLiveEvents();
  return (
    <NavLink to="/notifications" aria-label={t("notifications.bell", { count: unread, n: format.number(unread) })}>
      <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="currentColor">
        <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" />
      </svg>
      {unread > 0 && (
        <span className="badge" aria-hidden="true">
          {format.number(unread)}
        </span>
      )}
    </NavLink>
  );
}
