import { randomUUID } from "node:crypto";

import { expect } from "chai";

import { Notification } from "../../api/src/entities/Notification.js";
import { User } from "../../api/src/entities/User.js";
import type { NotificationService } from "../../api/src/notifications/notification-service.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { GOOD_PASSWORD, createAuthClient } from "../support/auth-client.js";
import { openEventStream } from "../support/event-stream-client.js";
import type { EventStreamClient } from "../support/event-stream-client.js";
import { createSignedInUser, notifyShipped } from "../support/notification-fixtures.js";

interface NotificationBody {
  id: string;
  kind: string;
  orderId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

interface PageBody {
  items: NotificationBody[];
  nextCursor: string | null;
}

interface ErrorBody {
  error: { code: string; details?: { issues?: { path: string }[] } };
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

describe("API notifications", function () {
  let api: ApiTestApp;
  let notifications: NotificationService;
  const streams: EventStreamClient[] = [];

  before(async function () {
    api = await startApiApp({ store: "redis" });
    notifications = api.live.notifications;
  });

  afterEach(function () {
    for (const stream of streams.splice(0)) stream.close();
  });

  after(async function () {
    await api?.close();
  });

  const call = (token: string | undefined, method: string, path: string) =>
    api.request(path, { method, headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });

  const expectError = async (response: Response, status: number, code: string) => {
    const body = (await response.json()) as ErrorBody;
    expect(response.status, JSON.stringify(body)).to.equal(status);
    expect(body.error.code).to.equal(code);
    return body;
  };

  const stream = async (token: string) => {
    const opened = await openEventStream(`${api.url}/api/events`, { Authorization: `Bearer ${token}` });
    streams.push(opened);
    expect(opened.response.status).to.equal(200);
    return opened;
  };

  describe("GET /api/notifications", function () {
    it("lists the user's own notifications newest first, a page at a time", async function () {
      const user = await createSignedInUser(api);
      const other = await createSignedInUser(api);
      const orders: string[] = [];
      for (let index = 0; index < 5; index++) orders.push(await notifyShipped(notifications, api, user.id));
      await notifyShipped(notifications, api, other.id);

      const first = await call(user.token, "GET", "/api/notifications?limit=2");
      expect(first.status).to.equal(200);
      expect(first.headers.get("cache-control")).to.equal("private, no-store");
      const page1 = (await first.json()) as PageBody;
      expect(page1.items.map((item) => item.orderId)).to.deep.equal([orders[4], orders[3]]);
      expect(page1.items[0]).to.include({ kind: "shipped", readAt: null });
      expect(page1.nextCursor).to.be.a("string");

      const page2 = (await (
        await call(user.token, "GET", `/api/notifications?limit=2&cursor=${page1.nextCursor}`)
      ).json()) as PageBody;
      const page3 = (await (
        await call(user.token, "GET", `/api/notifications?limit=2&cursor=${page2.nextCursor}`)
      ).json()) as PageBody;
      expect(page2.items.map((item) => item.orderId)).to.deep.equal([orders[2], orders[1]]);
      expect(page3.items.map((item) => item.orderId)).to.deep.equal([orders[0]]);
      expect(page3.nextCursor).to.equal(null);
    });

    it("lists only unread notifications when asked", async function () {
      const user = await createSignedInUser(api);
      await notifyShipped(notifications, api, user.id);
      const unreadOrder = await notifyShipped(notifications, api, user.id);
      const all = (await (await call(user.token, "GET", "/api/notifications")).json()) as PageBody;
      await call(user.token, "POST", `/api/notifications/${all.items[1].id}/read`);

      const unread = (await (await call(user.token, "GET", "/api/notifications?unread=true")).json()) as PageBody;
      expect(unread.items.map((item) => item.orderId)).to.deep.equal([unreadOrder]);
    });

    it("refuses a bad limit, unread flag or cursor", async function () {
      const user = await createSignedInUser(api);
      for (const [query, path] of [
        ["limit=0", "query.limit"],
        ["limit=101", "query.limit"],
        ["unread=maybe", "query.unread"],
        [`cursor=${Buffer.from('["x","1"]').toString("base64url")}`, "query.cursor"],
        ["cursor=not-a-cursor", "query.cursor"],
      ]) {
        const body = await expectError(
          await call(user.token, "GET", `/api/notifications?${query}`),
          400,
          "validation_failed",
        );
        expect(
          body.error.details?.issues?.map((issue) => issue.path),
          query,
        ).to.deep.equal([path]);
      }
    });

    it("answers 401 to every notification route without a token", async function () {
      for (const [method, path] of [
        ["GET", "/api/notifications"],
        ["GET", "/api/notifications/unread-count"],
        ["POST", "/api/notifications/1/read"],
        ["POST", "/api/notifications/read-all"],
        ["POST", "/api/events/ticket"],
        ["GET", "/api/events"],
      ]) {
        await expectError(await call(undefined, method, path), 401, "unauthorized");
      }
    });
  });

  describe("marking read", function () {
    it("marks one notification read, and repeating it changes nothing", async function () {
      const user = await createSignedInUser(api);
      await notifyShipped(notifications, api, user.id);
      const [item] = ((await (await call(user.token, "GET", "/api/notifications")).json()) as PageBody).items;

      const first = await call(user.token, "POST", `/api/notifications/${item.id}/read`);
      expect(first.status).to.equal(200);
      const read = (await first.json()) as NotificationBody;
      expect(read.id).to.equal(item.id);
      expect(read.readAt).to.be.a("string");
      const again = (await (await call(user.token, "POST", `/api/notifications/${item.id}/read`)).json()) as {
        readAt: string;
      };
      expect(again.readAt).to.equal(read.readAt);
    });

    it("answers 404 for someone else's notification and leaves it unread", async function () {
      const owner = await createSignedInUser(api);
      const intruder = await createSignedInUser(api);
      await notifyShipped(notifications, api, owner.id);
      const [item] = ((await (await call(owner.token, "GET", "/api/notifications")).json()) as PageBody).items;

      await expectError(await call(intruder.token, "POST", `/api/notifications/${item.id}/read`), 404, "not_found");
      await expectError(await call(intruder.token, "POST", "/api/notifications/999999999/read"), 404, "not_found");
      const after = (await (await call(owner.token, "GET", "/api/notifications")).json()) as PageBody;
      expect(after.items[0].readAt).to.equal(null);
    });

    it("refuses an id that is not a notification id", async function () {
      const user = await createSignedInUser(api);
      await expectError(await call(user.token, "POST", "/api/notifications/abc/read"), 400, "validation_failed");
    });

    it("marks all read and counts what is unread", async function () {
      const user = await createSignedInUser(api);
      const other = await createSignedInUser(api);
      for (let index = 0; index < 3; index++) await notifyShipped(notifications, api, user.id);
      await notifyShipped(notifications, api, other.id);

      const count = await call(user.token, "GET", "/api/notifications/unread-count");
      expect(count.status).to.equal(200);
      expect(await count.json()).to.deep.equal({ unread: 3 });
      const marked = await call(user.token, "POST", "/api/notifications/read-all");
      expect(marked.status).to.equal(200);
      expect(await marked.json()).to.deep.equal({ marked: 3 });
      expect(await (await call(user.token, "GET", "/api/notifications/unread-count")).json()).to.deep.equal({
        unread: 0,
      });
      expect(await (await call(other.token, "GET", "/api/notifications/unread-count")).json()).to.deep.equal({
        unread: 1,
      });
    });
  });

  describe("notify", function () {
    it("stores and publishes nothing when the caller's transaction rolls back", async function () {
      const user = await createSignedInUser(api);
      const events = await stream(user.token);
      const failure = new Error("the order could not be saved");
      const rolledBack = notifications.transaction(api.orm.em.fork(), async (tx, notify) => {
        notify({ userId: user.id, kind: "order_cancelled", orderId: randomUUID(), data: { by: "buyer" } });
        await tx.flush();
        throw failure;
      });
      expect(await rejectionOf(rolledBack)).to.equal(failure);
      expect(await api.orm.em.fork().count(Notification, { user: user.id })).to.equal(0);

      const committed = await notifyShipped(notifications, api, user.id);
      const event = await events.nextEvent();
      expect(event.event).to.equal("notification");
      expect(event.data).to.include({ kind: "shipped", orderId: committed });
    });

    it("writes notifications with the caller's own changes, in its transaction", async function () {
      const user = await createSignedInUser(api);
      const email = `renamed-${randomUUID()}@example.com`;
      const result = await notifications.transaction(api.orm.em.fork(), async (tx, notify) => {
        await tx.nativeUpdate(User, { id: user.id }, { email });
        notify({
          userId: user.id,
          kind: "refund",
          orderId: null,
          data: { amountMinor: 1_250, currency: "USD", full: false, method: "card" },
        });
        return "done";
      });
      expect(result).to.equal("done");
      const [row] = await api.orm.em.fork().find(Notification, { user: user.id });
      expect(row.data).to.deep.equal({ amountMinor: 1_250, currency: "USD", full: false, method: "card" });
      expect((await api.orm.em.fork().findOneOrFail(User, { id: user.id })).email).to.equal(email);
    });

    it("refuses data that does not fit the kind, and stores nothing", async function () {
      const user = await createSignedInUser(api);
      const attempt = notifications.transaction(api.orm.em.fork(), (_tx, notify) => {
        notify({
          userId: user.id,
          kind: "refund",
          orderId: randomUUID(),
          data: { amountMinor: 12.5, currency: "USD", full: false, method: "card" },
        });
        return Promise.resolve();
      });
      expect((await rejectionOf(attempt)).message).to.match(/data of a refund notification is invalid/);
      expect(await api.orm.em.fork().count(Notification, { user: user.id })).to.equal(0);
    });

    it("refuses to start inside another transaction, where it could not publish after the commit", async function () {
      const nested = api.orm.em.fork().transactional((tx) => notifications.transaction(tx, () => Promise.resolve()));
      expect((await rejectionOf(nested)).message).to.match(/outside a transaction/);
    });
  });

  describe("account data", function () {
    it("exports the user's notifications and deletes them with the account", async function () {
      const auth = createAuthClient(api);
      const session = await auth.register(`notified-${randomUUID()}@example.com`);
      const orderId = await notifyShipped(notifications, api, session.user.id);
      const headers = { Authorization: `Bearer ${session.accessToken}` };

      const exported = (await (await api.request("/api/account/export", { headers })).json()) as {
        notifications: { kind: string; orderId: string }[];
      };
      expect(exported.notifications.map(({ kind, orderId: order }) => [kind, order])).to.deep.equal([
        ["shipped", orderId],
      ]);

      const deleted = await auth.json("DELETE", "/api/account", { password: GOOD_PASSWORD }, headers);
      expect(deleted.status).to.equal(204);
      expect(await api.orm.em.fork().count(Notification, { user: session.user.id })).to.equal(0);
    });
  });
});
