import { randomUUID } from "node:crypto";

import { User } from "../../api/src/entities/User.js";
import type { NotificationInput } from "../../protocol/api/notification-kinds.js";
import type { NotificationService } from "../../api/src/notifications/notification-service.js";
import type { ApiTestApp } from "./api-app.js";
import { insertFarm } from "./cart-fixtures.js";
import { insertOrder } from "./order-fixtures.js";

/** A user row and an access token for it. */
export async function createSignedInUser(api: ApiTestApp): Promise<{ id: string; token: string }> {
  const em = api.orm.em.fork();
  const user = em.create(User, { email: `notified-${randomUUID()}@example.com` });
  await em.flush();
  const { token } = await api.accessTokens.issue({ id: user.id, roles: ["buyer"] });
  return { id: user.id, token };
}

/** Stores (and publishes) one `shipped` notification about a new order of `userId`'s; returns the order id. */
export async function notifyShipped(notifications: NotificationService, api: ApiTestApp, userId: string) {
  const farmId = await insertFarm(api.database.pool, "Notifying Farm");
  const orderId = await insertOrder(api.database.pool, { buyerId: userId, farmId, status: "shipped" });
  const input: NotificationInput = { userId, kind: "shipped", orderId, data: {} };
  await notifications.transaction(api.orm.em.fork(), (_tx, notify) => Promise.resolve(notify(input)));
  return orderId;
}
