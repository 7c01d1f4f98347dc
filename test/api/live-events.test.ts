import { randomInt } from "node:crypto";

import { expect } from "chai";
import { Redis } from "ioredis";
import { pino } from "pino";

import { createIndexerAnnouncements } from "../../api/src/notifications/indexer-announcements.js";
import type { ChainEvent, IndexerAnnouncements } from "../../api/src/notifications/indexer-announcements.js";
import type { NotificationService } from "../../api/src/notifications/notification-service.js";
import { createAnnouncer } from "../../indexer/src/announce.js";
import type { SyncStep } from "../../indexer/src/sync.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { insertFarm } from "../support/cart-fixtures.js";
import { openEventStream } from "../support/event-stream-client.js";
import type { EventStreamClient, StreamBlock } from "../support/event-stream-client.js";
import { createSignedInUser, notifyShipped } from "../support/notification-fixtures.js";
import { insertOrder } from "../support/order-fixtures.js";

const REDIS_URL = "redis://127.0.0.1:6379";

interface NotificationData {
  id: string;
  kind: string;
  orderId: string;
}

/** Checks `condition` until it holds, yielding to the event loop between tries; fails after `tries`. */
async function eventually(condition: () => boolean | Promise<boolean>, what: string, tries = 200): Promise<void> {
  for (let attempt = 0; attempt < tries; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never happened: ${what}`);
}

const isComment = (block: StreamBlock): block is { comment: string } => "comment" in block;

/** A block of escrow events as the indexer's sync loop reports it after committing. */
const blockStep = (orderId: bigint): SyncStep => ({
  type: "block",
  from: 100n,
  to: 101n,
  eventCount: 1,
  changes: { orderIds: [orderId], proposalIds: [], accounts: [`0x${"ab".repeat(20)}`] },
});

describe("API live events (GET /api/events)", function () {
  let api: ApiTestApp;
  let notifications: NotificationService;
  const streams: EventStreamClient[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async function () {
    api = await startApiApp({
      store: "redis",
      env: { SSE_MAX_STREAMS_PER_USER: "2", SSE_HEARTBEAT_SECONDS: "1" },
    });
    notifications = api.live.notifications;
  });

  afterEach(async function () {
    for (const stream of streams.splice(0)) stream.close();
    await eventually(() => api.live.streams.size === 0, "the server forgets the streams the test closed");
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  after(async function () {
    await api?.close();
  });

  const open = async (app: ApiTestApp, query = "", headers: Record<string, string> = {}) => {
    const stream = await openEventStream(`${app.url}/api/events${query}`, headers);
    streams.push(stream);
    return stream;
  };
  const openAs = (token: string, app = api, headers: Record<string, string> = {}) =>
    open(app, "", { Authorization: `Bearer ${token}`, ...headers });

  const errorCode = async (stream: EventStreamClient) =>
    ((await stream.response.json()) as { error: { code: string } }).error.code;

  const nextNotification = async (stream: EventStreamClient) => {
    const event = await stream.nextEvent();
    expect(event.event).to.equal("notification");
    const data = event.data as NotificationData;
    expect(event.id, "the event id is the notification id").to.equal(data.id);
    return data;
  };

  it("streams the user's notifications with headers that keep proxies from buffering or compressing them", async function () {
    const user = await createSignedInUser(api);
    const other = await createSignedInUser(api);
    const stream = await openAs(user.token, api, { "Accept-Encoding": "gzip, br" });
    expect(stream.response.status).to.equal(200);
    expect(stream.response.headers.get("content-type")).to.equal("text/event-stream; charset=utf-8");
    expect(stream.response.headers.get("cache-control")).to.equal("no-cache, no-transform");
    expect(stream.response.headers.get("x-accel-buffering")).to.equal("no");
    expect(stream.response.headers.get("content-encoding")).to.equal(null);

    await notifyShipped(notifications, api, other.id);
    const orderId = await notifyShipped(notifications, api, user.id);
    expect((await nextNotification(stream)).orderId, "another user's notification is not sent").to.equal(orderId);
  });

  it("counts open streams in the metrics gauge", async function () {
    const user = await createSignedInUser(api);
    const gauge = async () => {
      const text = await (await api.request("/metrics")).text();
      return Number(/^api_sse_streams_open (\d+)$/m.exec(text)?.[1]);
    };
    const stream = await openAs(user.token);
    expect(await gauge()).to.equal(1);
    stream.close();
    await eventually(async () => (await gauge()) === 0, "the gauge drops when the client goes away");
  });

  it("answers 401 without credentials, with a bad token, and with an unknown ticket", async function () {
    const none = await open(api);
    expect(none.response.status).to.equal(401);
    expect(await errorCode(none)).to.equal("unauthorized");
    const badToken = await open(api, "", { Authorization: "Bearer not.a.token" });
    expect(badToken.response.status).to.equal(401);
    const unknown = await open(api, `?ticket=${"A".repeat(43)}`);
    expect(unknown.response.status).to.equal(401);
  });

  it("opens a stream with a ticket once, and never again with the same ticket", async function () {
    const user = await createSignedInUser(api);
    const issued = await api.request("/api/events/ticket", {
      method: "POST",
      headers: { Authorization: `Bearer ${user.token}` },
    });
    expect(issued.status).to.equal(201);
    const { ticket, expiresAt } = (await issued.json()) as { ticket: string; expiresAt: string };
    expect(Date.parse(expiresAt)).to.be.greaterThan(Date.now());

    const stream = await open(api, `?ticket=${ticket}`);
    expect(stream.response.status).to.equal(200);
    const orderId = await notifyShipped(notifications, api, user.id);
    expect((await nextNotification(stream)).orderId).to.equal(orderId);

    const reused = await open(api, `?ticket=${ticket}`);
    expect(reused.response.status).to.equal(401);
    expect(await errorCode(reused)).to.equal("unauthorized");
  });

  it("refuses a ticket after it expired", async function () {
    const expiring = await startApiApp({ env: { SSE_TICKET_TTL_SECONDS: "1" } });
    cleanups.push(() => expiring.close());
    const user = await createSignedInUser(expiring);
    const issued = await expiring.request("/api/events/ticket", {
      method: "POST",
      headers: { Authorization: `Bearer ${user.token}` },
    });
    const { ticket, expiresAt } = (await issued.json()) as { ticket: string; expiresAt: string };
    await eventually(() => Date.now() > Date.parse(expiresAt) + 100, "the ticket's expiry passes");
    const late = await open(expiring, `?ticket=${ticket}`);
    expect(late.response.status).to.equal(401);
  });

  it("replays the notifications missed since Last-Event-ID, then goes on live", async function () {
    const user = await createSignedInUser(api);
    const first = await openAs(user.token);
    await notifyShipped(notifications, api, user.id);
    const seen = await nextNotification(first);
    first.close();

    const missed = [await notifyShipped(notifications, api, user.id), await notifyShipped(notifications, api, user.id)];
    const resumed = await openAs(user.token, api, { "Last-Event-ID": seen.id });
    expect([(await nextNotification(resumed)).orderId, (await nextNotification(resumed)).orderId]).to.deep.equal(
      missed,
    );
    const live = await notifyShipped(notifications, api, user.id);
    expect((await nextNotification(resumed)).orderId).to.equal(live);

    // A new EventSource (after a fresh ticket) cannot set the header: the query parameter does the same.
    const fromQuery = await open(api, `?lastEventId=${seen.id}`, { Authorization: `Bearer ${user.token}` });
    const replayed = [];
    for (let index = 0; index < 3; index++) replayed.push((await nextNotification(fromQuery)).orderId);
    expect(replayed).to.deep.equal([...missed, live]);
  });

  it("refuses a Last-Event-ID that is not an event id", async function () {
    const user = await createSignedInUser(api);
    const stream = await openAs(user.token, api, { "Last-Event-ID": "yesterday" });
    expect(stream.response.status).to.equal(400);
    expect(await errorCode(stream)).to.equal("validation_failed");
  });

  it("refuses a stream beyond the per-user cap with 429, and accepts one again once a stream closed", async function () {
    const user = await createSignedInUser(api);
    const one = await openAs(user.token);
    await openAs(user.token);
    const third = await openAs(user.token);
    expect(third.response.status).to.equal(429);
    expect(await errorCode(third)).to.equal("too_many_streams");
    const stranger = await createSignedInUser(api);
    expect((await openAs(stranger.token)).response.status, "the cap is per user").to.equal(200);

    one.close();
    await eventually(() => api.live.streams.size === 2, "the closed stream is forgotten");
    expect((await openAs(user.token)).response.status).to.equal(200);
  });

  it("sends a heartbeat comment on an idle stream", async function () {
    const user = await createSignedInUser(api);
    const stream = await openAs(user.token);
    const heartbeat = await stream.next((block) => isComment(block) && block.comment === "heartbeat");
    expect(heartbeat).to.deep.equal({ comment: "heartbeat" });
  });

  it("closes open streams when the API shuts down, and refuses new ones", async function () {
    const shutdown = new AbortController();
    const closing = await startApiApp({ shutdown: shutdown.signal });
    cleanups.push(() => closing.close());
    const user = await createSignedInUser(closing);
    const stream = await openAs(user.token, closing);
    expect(stream.response.status).to.equal(200);

    shutdown.abort();
    expect(await stream.ended(), "the server ended the stream").to.equal(true);
    expect(closing.live.streams.size).to.equal(0);
    const late = await openAs(user.token, closing);
    expect(late.response.status).to.equal(503);
  });

  it("delivers a notification created through one API instance to a stream open on another", async function () {
    const peer = await startApiApp({ store: "redis", peer: api });
    cleanups.push(() => peer.close());
    const user = await createSignedInUser(api);
    const onPeer = await openAs(user.token, peer);
    expect(onPeer.response.status).to.equal(200);

    const orderId = await notifyShipped(notifications, api, user.id);
    expect((await nextNotification(onPeer)).orderId).to.equal(orderId);
    expect(peer.live.streams.size).to.equal(1);
    expect(api.live.streams.size, "instance A holds no stream of this user").to.equal(0);
  });

  describe("indexer announcements", function () {
    const chainId = 800_000 + randomInt(100_000);
    const log = pino({ level: "silent" });

    const subscribe = async (redisUrl: string | undefined): Promise<IndexerAnnouncements> => {
      const announcements = createIndexerAnnouncements({
        chainId,
        redisUrl,
        databaseUrl: api.config.databaseUrl,
        streams: api.live.streams,
        log,
      });
      cleanups.push(() => announcements.stop());
      await announcements.start();
      return announcements;
    };

    it("forwards an announcement the indexer published on Redis to every stream and listener", async function () {
      const announcements = await subscribe(REDIS_URL);
      const heard: ChainEvent[] = [];
      announcements.onAnnouncement((announcement) => void heard.push(announcement));
      const [alice, bob] = [await createSignedInUser(api), await createSignedInUser(api)];
      const streamsOf = [await openAs(alice.token), await openAs(bob.token)];

      const redis = new Redis(REDIS_URL);
      cleanups.push(() => redis.quit());
      await createAnnouncer({ chainId, redis, db: api.database.pool }).announce(blockStep(42n));

      for (const stream of streamsOf) {
        const event = await stream.nextEvent();
        expect(event.event).to.equal("chain");
        expect(event.id, "chain events carry no id, so they never move Last-Event-ID").to.equal(undefined);
        expect(event.data).to.deep.include({ type: "block", chainId, from: "100", to: "101", orderIds: ["42"] });
      }
      await eventually(() => heard.length === 1, "the listener hears the announcement");
      expect(heard[0]).to.deep.include({ type: "block", orderIds: ["42"] });
    });

    it("forwards an announcement sent with PostgreSQL NOTIFY, and listens again after losing its connection", async function () {
      const announcements = await subscribe(undefined);
      const heard: ChainEvent[] = [];
      announcements.onAnnouncement((event) => void heard.push(event));
      const user = await createSignedInUser(api);
      const stream = await openAs(user.token);
      const announcer = createAnnouncer({ chainId, db: api.database.pool });

      await announcer.announce({ type: "reorg", ancestor: 90n, method: "undo" });
      expect((await stream.nextEvent()).data).to.deep.equal({ type: "reorg", chainId, ancestor: "90" });

      const { rowCount } = await api.database.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`,
      );
      expect(rowCount).to.equal(1);
      const resync = await stream.nextEvent();
      expect(resync.data, "pages are told to re-read what they may have missed").to.deep.equal({
        type: "resync",
        chainId,
      });
      await announcer.announce(blockStep(7n));
      expect((await stream.nextEvent()).data).to.deep.include({ type: "block", orderIds: ["7"] });
      await eventually(() => heard.length === 3, "listeners hear the same three events");
      expect(heard.map((event) => event.type)).to.deep.equal(["reorg", "resync", "block"]);
    });
  });

  it("delivers every notification of concurrent transactions for one user exactly once, by its stored id", async function () {
    const user = await createSignedInUser(api);
    const stream = await openAs(user.token);
    // Real orders: a notification's order is a foreign key.
    const farmId = await insertFarm(api.database.pool, "Concurrent Farm");
    const orders: string[] = [];
    for (let index = 0; index < 8; index++) {
      orders.push(await insertOrder(api.database.pool, { buyerId: user.id, farmId, status: "delivered" }));
    }
    await Promise.all(
      orders.map((orderId) =>
        notifications.transaction(api.orm.em.fork(), (_tx, notify) =>
          Promise.resolve(notify({ userId: user.id, kind: "delivered", orderId, data: { autoConfirmed: false } })),
        ),
      ),
    );
    const received = [];
    for (let index = 0; index < orders.length; index++) received.push(await nextNotification(stream));
    expect(received.map((data) => data.orderId)).to.have.members(orders);
    const { rows } = await api.database.pool.query<{ id: string }>(
      "SELECT id::text FROM notifications WHERE user_id = $1 ORDER BY id",
      [user.id],
    );
    expect(received.map((data) => data.id)).to.have.members(rows.map((row) => row.id));
  });
});
