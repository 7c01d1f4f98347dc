import type { EntityManager } from "@mikro-orm/postgresql";

import { Notification } from "../entities/Notification.js";
import { RefreshToken } from "../entities/RefreshToken.js";
import type { User } from "../entities/User.js";
import { describeAccount } from "./describe-account.js";
import type { AccountView } from "./describe-account.js";

/** Everything the API keeps about a person, for a data-portability request. Secrets (hashes) are never included. */
export interface AccountExport {
  exportedAt: string;
  account: AccountView;
  sessions: {
    familyId: string;
    createdAt: string;
    expiresAt: string;
    usedAt: string | null;
    revokedAt: string | null;
  }[];
  notifications: {
    kind: string;
    orderId: string | null;
    data: Record<string, unknown>;
    createdAt: string;
    readAt: string | null;
  }[];
}

export async function exportAccount(em: EntityManager, user: User, now: Date): Promise<AccountExport> {
  const tokens = await em.find(RefreshToken, { user: user.id }, { orderBy: { createdAt: "asc", id: "asc" } });
  const notifications = await em.find(Notification, { user: user.id }, { orderBy: { id: "asc" } });
  return {
    exportedAt: now.toISOString(),
    account: await describeAccount(em, user),
    sessions: tokens.map((token) => ({
      familyId: token.familyId,
      createdAt: token.createdAt.toISOString(),
      expiresAt: token.expiresAt.toISOString(),
      usedAt: token.usedAt?.toISOString() ?? null,
      revokedAt: token.revokedAt?.toISOString() ?? null,
    })),
    notifications: notifications.map((notification) => ({
      kind: notification.kind,
      orderId: notification.order?.id ?? null,
      data: notification.data,
      createdAt: notification.createdAt.toISOString(),
      readAt: notification.readAt?.toISOString() ?? null,
    })),
  };
}
