import { z } from "zod";

import { NOTIFICATION_KIND_NAMES } from "./notification-kinds.js";

const notificationId = z.string().regex(/^\d{1,16}$/, { error: "expected a notification id" });

export const notificationIdParams = z.object({ id: notificationId });

export const listNotificationsQuery = z.object({
  /** `true` lists only notifications not read yet. */
  unread: z
    .enum(["true", "false"], { error: "expected true or false" })
    .transform((value) => value === "true")
    .default(false),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** One notification; the shape of `data` depends on `kind` (see api/src/notification-kinds.ts). */
export const notificationResponse = z.object({
  id: notificationId,
  kind: z.enum(NOTIFICATION_KIND_NAMES),
  orderId: z.uuid().nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
  readAt: z.iso.datetime().nullable(),
});

export const notificationPageResponse = z.object({
  items: z.array(notificationResponse),
  /** Pass as `cursor` for the next, older page; null on the last page. */
  nextCursor: z.string().nullable(),
});

export const markAllReadResponse = z.object({ marked: z.number().int().nonnegative() });

export const unreadCountResponse = z.object({ unread: z.number().int().nonnegative() });

export type AppNotification = z.infer<typeof notificationResponse>;
export type NotificationPage = z.infer<typeof notificationPageResponse>;
export type UnreadCount = z.infer<typeof unreadCountResponse>;
