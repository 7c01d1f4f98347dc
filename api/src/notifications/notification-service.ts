import type { EntityManager } from "@mikro-orm/postgresql";
import type { z } from "zod";

import type { notificationPageResponse, notificationResponse } from "../../../protocol/api/notifications.js";
import { Notification } from "../entities/Notification.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { NOTIFICATION_KINDS } from "../../../protocol/api/notification-kinds.js";
import type { NotificationInput } from "../../../protocol/api/notification-kinds.js";
import type { LiveEvent, LiveEventBus } from "./live-event-bus.js";

/** A notification as its owner sees it. `id` is a decimal string: it is also the event id on the live stream. */
export type NotificationView = z.input<typeof notificationResponse>;

/** Queues a notification; it is written with the transaction and pushed live only once that commits. */
export type Notify = (input: NotificationInput) => void;

export type NotificationPage = z.input<typeof notificationPageResponse>;

export interface NotificationService {
  /**
   * Runs `work` in a new transaction of `em` and hands it `notify`. Notifications are inserted at the end of the
   * transaction, so they commit or roll back with the caller's own changes, and are published live only after the
   * commit. `em` must not be in a transaction already: "after commit" would then mean after a savepoint.
   */
  transaction<T>(em: EntityManager, work: (tx: EntityManager, notify: Notify) => Promise<T>): Promise<T>;
  /** A user's notifications, newest first, a page at a time; `unread` keeps only those not read yet. */
  list(
    em: EntityManager,
    userId: string,
    options: { unread: boolean; limit: number; cursor?: string },
  ): Promise<NotificationPage>;
  /** Marks one of the user's notifications read (idempotent); NotFoundError when it is not theirs. */
  markRead(em: EntityManager, userId: string, id: string): Promise<NotificationView>;
  /** Marks every unread notification of the user read; returns how many were unread. */
  markAllRead(em: EntityManager, userId: string): Promise<number>;
  unreadCount(em: EntityManager, userId: string): Promise<number>;
  /** The user's notifications after event id `afterId`, oldest first, at most `limit`: what a stream missed. */
  missedSince(em: EntityManager, userId: string, afterId: string, limit: number): Promise<NotificationView[]>;
}

/** The live event a stored notification is pushed as. */
export function notificationEvent(view: NotificationView): LiveEvent {
  return { name: "notification", id: view.id, data: view };
}

/** Reads a decimal notification id from a client (event id, path parameter); undefined when it is not one. */
export function parseNotificationId(text: string): string | undefined {
  // Ids are read as JS numbers (the entity maps the bigint so), exact up to 2^53 - 1: far beyond any real count.
  if (!/^\d{1,16}$/.test(text) || Number(text) > Number.MAX_SAFE_INTEGER) return undefined;
  return String(Number(text));
}

/**
 * Stores notifications and pushes them to the user's open streams through the live bus.
 *
 * Invariant: a user's notifications commit in id order. Each transaction takes a per-user advisory lock before it
 * draws ids from the sequence and holds it until commit, so an id drawn later for the same user belongs to a
 * transaction that commits later. That is what makes "after event id N" an exact replay for a reconnecting stream.
 * Locks are taken in user-id order at the very end of the transaction, so two transactions never wait on each other
 * in a cycle and the locks are held only for the insert and the commit.
 */
export function createNotificationService(deps: {
  bus: LiveEventBus;
  /** A committed notification that could not be pushed live: the user sees it on the next list or reconnect. */
  onPublishError: (error: unknown) => void;
}): NotificationService {
  const { bus, onPublishError } = deps;

  return {
    async transaction(em, work) {
      if (em.isInTransaction()) {
        throw new Error("notifications.transaction needs an entity manager outside a transaction");
      }
      const queued: NotificationInput[] = [];
      const notify: Notify = (input) => {
        const parsed = NOTIFICATION_KINDS[input.kind].safeParse(input.data);
        if (!parsed.success) {
          throw new Error(`notify: the data of a ${input.kind} notification is invalid`, { cause: parsed.error });
        }
        queued.push({ ...input, data: parsed.data } as NotificationInput);
      };
      let stored: Notification[] = [];
      const result = await em.transactional(async (tx) => {
        const value = await work(tx, notify);
        stored = await insertQueued(tx, queued);
        return value;
      });
      for (const notification of stored) {
        const view = viewOf(notification);
        await bus.publish(notification.user.id, notificationEvent(view)).catch(onPublishError);
      }
      return result;
    },

    async list(em, userId, { unread, limit, cursor }) {
      const before = cursor === undefined ? undefined : decodeCursor(cursor);
      const rows = await em.find(
        Notification,
        {
          user: userId,
          ...(unread ? { readAt: null } : {}),
          ...(before === undefined ? {} : { id: { $lt: before } }),
        },
        { orderBy: { id: "desc" }, limit: limit + 1 },
      );
      const items = rows.slice(0, limit).map(viewOf);
      const nextCursor = rows.length > limit ? encodeCursor(items[items.length - 1].id) : null;
      return { items, nextCursor };
    },

    async markRead(em, userId, id) {
      const notification = await em.findOne(Notification, { id: Number(id), user: userId });
      if (notification === null) throw new NotFoundError("No such notification");
      if (notification.readAt === null) {
        notification.readAt = new Date();
        await em.flush();
      }
      return viewOf(notification);
    },

    async markAllRead(em, userId) {
      return em.nativeUpdate(Notification, { user: userId, readAt: null }, { readAt: new Date() });
    },

    async unreadCount(em, userId) {
      return em.count(Notification, { user: userId, readAt: null });
    },

    async missedSince(em, userId, afterId, limit) {
      const rows = await em.find(
        Notification,
        { user: userId, id: { $gt: Number(afterId) } },
        { orderBy: { id: "asc" }, limit },
      );
      return rows.map(viewOf);
    },
  };
}

async function insertQueued(tx: EntityManager, queued: readonly NotificationInput[]): Promise<Notification[]> {
  if (queued.length === 0) return [];
  const users = [...new Set(queued.map((input) => input.userId))].sort();
  for (const userId of users) {
    await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", [`notifications:${userId}`]);
  }
  const created = queued.map((input) =>
    tx.create(Notification, {
      user: input.userId,
      kind: input.kind,
      order: input.orderId,
      data: input.data,
    }),
  );
  await tx.flush();
  return created;
}

function viewOf(notification: Notification): NotificationView {
  return {
    id: String(notification.id),
    kind: notification.kind,
    orderId: notification.order?.id ?? null,
    data: notification.data,
    createdAt: notification.createdAt.toISOString(),
    readAt: notification.readAt?.toISOString() ?? null,
  };
}

function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify(["n", id])).toString("base64url");
}

function decodeCursor(text: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const id: unknown = Array.isArray(parsed) && parsed.length === 2 && parsed[0] === "n" ? parsed[1] : undefined;
  if (typeof id !== "string" || parseNotificationId(id) === undefined) {
    throw new ValidationError("The request is invalid", [
      { path: "query.cursor", message: "not a cursor of this listing" },
    ]);
  }
  return Number(id);
}
