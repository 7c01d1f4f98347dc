import { NotFoundError } from "../../errors.js";
import { defineRoute } from "../../http/define-route.js";
import type { ApiRoute } from "../../http/define-route.js";
import { parseNotificationId } from "../../notifications/notification-service.js";
import type { NotificationService } from "../../notifications/notification-service.js";
import {
  listNotificationsQuery,
  markAllReadResponse,
  notificationIdParams,
  notificationPageResponse,
  notificationResponse,
  unreadCountResponse,
} from "../../../../protocol/api/notifications.js";

const TAGS = ["notifications"] as const;
const PRIVATE = { "Cache-Control": "private, no-store" };

/** The signed-in user's in-app notifications: list, unread count, mark read. Live delivery is GET /api/events. */
export function createNotificationRoutes({ notifications }: { notifications: NotificationService }): ApiRoute[] {
  return [
    defineRoute({
      method: "get",
      path: "/api/notifications",
      auth: "user",
      summary: "The signed-in user's notifications, newest first, a page at a time",
      tags: TAGS,
      request: { query: listNotificationsQuery },
      responses: { 200: notificationPageResponse },
    }).handle(async ({ user, query, em }) => ({
      status: 200,
      body: await notifications.list(em, user.id, query),
      headers: PRIVATE,
    })),

    defineRoute({
      method: "get",
      path: "/api/notifications/unread-count",
      auth: "user",
      summary: "How many of the signed-in user's notifications are unread",
      tags: TAGS,
      responses: { 200: unreadCountResponse },
    }).handle(async ({ user, em }) => ({
      status: 200,
      body: { unread: await notifications.unreadCount(em, user.id) },
      headers: PRIVATE,
    })),

    defineRoute({
      method: "post",
      path: "/api/notifications/read-all",
      auth: "user",
      summary: "Mark every notification of the signed-in user read",
      tags: TAGS,
      responses: { 200: markAllReadResponse },
    }).handle(async ({ user, em }) => ({
      status: 200,
      body: { marked: await notifications.markAllRead(em, user.id) },
    })),

    defineRoute({
      method: "post",
      path: "/api/notifications/:id/read",
      auth: "user",
      summary: "Mark one notification read (repeating it changes nothing)",
      description: "404 for a notification that does not exist or belongs to someone else.",
      tags: TAGS,
      request: { params: notificationIdParams },
      responses: { 200: notificationResponse },
    }).handle(async ({ user, params, em }) => {
      const id = parseNotificationId(params.id);
      if (id === undefined) throw new NotFoundError("No such notification");
      return { status: 200, body: await notifications.markRead(em, user.id, id) };
    }),
  ];
}
