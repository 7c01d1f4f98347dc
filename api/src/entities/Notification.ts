import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { NOTIFICATION_KIND_NAMES } from "../../../protocol/api/notification-kinds.js";
import type { NotificationKind } from "../../../protocol/api/notification-kinds.js";

import { Order } from "./Order.js";
import { User } from "./User.js";

/**
 * One in-app notification to one user. The id is a sequence and doubles as the server-sent event id: a user's
 * notifications commit in id order (see notification-service.ts), so "everything after id N" is exactly what a
 * reconnecting stream missed. An order that vanished (orders are not deleted in practice) leaves `order` null.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const Notification = defineEntity({
  name: "Notification",
  tableName: "notifications",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    user: () => p.manyToOne(User).deleteRule("cascade"),
    kind: p.text().$type<NotificationKind>(),
    order: () => p.manyToOne(Order).nullable().deleteRule("set null").index("notifications_order_id_index"),
    data: p.json<Record<string, unknown>>(),
    createdAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
    readAt: p.datetime().nullable(),
  },
  indexes: [
    { name: "notifications_user_id_id_index", properties: ["user", "id"] },
    { name: "notifications_user_id_unread_index", properties: ["user", "id"], where: "read_at IS NULL" },
  ],
  checks: [
    {
      name: "notifications_kind_check",
      expression: `kind IN (${NOTIFICATION_KIND_NAMES.map((kind) => `'${kind}'`).join(", ")})`,
    },
    { name: "notifications_data_check", expression: "jsonb_typeof(data) = 'object'" },
  ],
});

export type Notification = InferEntity<typeof Notification>;
