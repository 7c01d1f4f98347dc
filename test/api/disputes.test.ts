import { randomUUID } from "node:crypto";

import { expect } from "chai";
import { pino } from "pino";
import sharp from "sharp";

import type { CardRefunds } from "../../api/src/services/dispute-service.js";
import { paymentInFlightGuardFor } from "../../api/src/services/payment-in-flight.js";
import { startReservationExpiryJob } from "../../api/src/services/reservation-expiry-job.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { insertFarm, insertUser } from "../support/cart-fixtures.js";
import { farmOwner, insertOrder } from "../support/order-fixtures.js";

type RefundCall = Parameters<CardRefunds["refund"]>[0];

interface Actor {
  id: string;
  token: string;
}

interface DisputeBody {
  id: string;
  status: string;
  reason: string;
  openedBy: { id: string; party: string | null };
  ruling: { buyerShareMinor: number; farmShareMinor: number; pending: boolean; ruledBy: string | null } | null;
  order: { id: string; status: string; totalMinor: number; farm: { name: string } };
  messages: { authorId: string; from: string; body: string }[];
  evidence: { kind: string; text: string | null; from: string; photo: { displayUrl: string } | null }[];
}

describe("API disputes", function () {
  this.timeout(60_000);

  let api: ApiTestApp;
  const refunds: RefundCall[] = [];
  let farmId: string;
  let buyer: Actor;
  let farmer: Actor;
  let stranger: Actor;
  let arbiter: Actor;
  let admin: Actor;

  async function actor(roles: string[], id?: string): Promise<Actor> {
    const userId = id ?? (await insertUser(api.database.pool, roles));
    const { token } = await api.accessTokens.issue({ id: userId, roles: roles as never });
    return { id: userId, token };
  }

  before(async function () {
    api = await startApiApp({
      cardRefunds: {
        // A test seam at the dispute service's boundary: records what a ruling asks to refund, changes nothing.
        refund(input) {
          refunds.push(input);
          return Promise.resolve({ refundId: randomUUID(), stripeRefundId: `re_test_${refunds.length}` });
        },
      },
    });
    farmId = await insertFarm(api.database.pool, "Dispute Farm");
    buyer = await actor(["buyer"]);
    farmer = await actor(["buyer", "farmer"], await farmOwner(api.database.pool, farmId));
    stranger = await actor(["buyer"]);
    arbiter = await actor(["arbiter"]);
    admin = await actor(["admin"]);
  });

  after(async function () {
    await api?.close();
  });

  function call(method: string, path: string, who: Actor | null, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (who !== null) headers.Authorization = `Bearer ${who.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return api.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  async function json<T>(response: Response, status: number): Promise<T> {
    const body = (await response.json()) as T;
    expect(response.status, JSON.stringify(body)).to.equal(status);
    return body;
  }

  async function cardOrder(options: { status?: string; paidAt?: Date | null } = {}): Promise<string> {
    return insertOrder(api.database.pool, { buyerId: buyer.id, farmId, ...options });
  }

  async function openDispute(orderId: string, who: Actor = buyer, body: unknown = { reason: "Half the eggs broke" }) {
    const opened = await json<{ dispute: DisputeBody; escrowCall: unknown }>(
      await call("POST", `/api/orders/${orderId}/disputes`, who, body),
      201,
    );
    return opened.dispute;
  }

  async function notificationsOf(userId: string, orderId: string) {
    const { rows } = await api.database.pool.query<{ kind: string; data: Record<string, unknown> }>(
      "SELECT kind, data FROM notifications WHERE user_id = $1 AND order_id = $2 ORDER BY id",
      [userId, orderId],
    );
    return rows;
  }

  async function timelineOf(orderId: string) {
    const { rows } = await api.database.pool.query<{ kind: string; data: Record<string, unknown> }>(
      "SELECT kind, data FROM order_events WHERE order_id = $1 ORDER BY id",
      [orderId],
    );
    return rows;
  }

  async function pngPhoto(): Promise<Buffer> {
    return sharp({ create: { width: 64, height: 48, channels: 3, background: "#6a994e" } })
      .png()
      .toBuffer();
  }

  function photoUpload(bytes: Buffer, type = "image/png"): FormData {
    const form = new FormData();
    form.append("photo", new Blob([new Uint8Array(bytes)], { type }), "evidence.png");
    return form;
  }

  describe("opening", function () {
    it("lets the buyer dispute a paid card order, with a first statement, and tells the farmer and arbiters", async function () {
      const orderId = await cardOrder();
      const response = await call("POST", `/api/orders/${orderId}/disputes`, buyer, {
        reason: "Half the eggs broke",
        text: "Twelve of the two dozen arrived cracked.",
      });
      const opened = await json<{ dispute: DisputeBody; escrowCall: unknown }>(response, 201);
      expect(opened.escrowCall).to.equal(null);
      expect(opened.dispute).to.deep.include({ status: "open", reason: "Half the eggs broke", ruling: null });
      expect(opened.dispute.openedBy).to.deep.equal({ id: buyer.id, party: "buyer" });
      expect(opened.dispute.order).to.deep.include({ id: orderId, status: "disputed", totalMinor: 2_500 });
      expect(opened.dispute.evidence.map((item) => [item.kind, item.text, item.from])).to.deep.equal([
        ["text", "Twelve of the two dozen arrived cracked.", "buyer"],
      ]);
      expect((await timelineOf(orderId)).map((event) => event.kind)).to.deep.equal(["dispute_opened"]);
      for (const told of [farmer, arbiter]) {
        expect(await notificationsOf(told.id, orderId)).to.deep.equal([
          { kind: "dispute_opened", data: { openedBy: "buyer", reason: "Half the eggs broke" } },
        ]);
      }
      expect(await notificationsOf(buyer.id, orderId)).to.deep.equal([]);
    });

    it("lets the farmer dispute the order too", async function () {
      const orderId = await cardOrder({ status: "delivered" });
      const dispute = await openDispute(orderId, farmer, { reason: "The buyer kept the crates" });
      expect(dispute.openedBy).to.deep.equal({ id: farmer.id, party: "farmer" });
    });

    it("refuses a second open dispute on the same order", async function () {
      const orderId = await cardOrder();
      const first = await openDispute(orderId);
      const again = await call("POST", `/api/orders/${orderId}/disputes`, farmer, { reason: "Me too" });
      const body = await json<{ error: { code: string; details: { disputeId: string } } }>(again, 409);
      expect(body.error.code).to.equal("dispute_already_open");
      expect(body.error.details.disputeId).to.equal(first.id);
    });

    it("refuses an unpaid order, and a card order past the dispute window", async function () {
      const unpaid = await cardOrder({ status: "awaiting_payment" });
      const early = await call("POST", `/api/orders/${unpaid}/disputes`, buyer, { reason: "Not here yet" });
      expect((await json<{ error: { code: string } }>(early, 409)).error.code).to.equal("order_not_disputable");
      const old = await cardOrder({ status: "delivered", paidAt: new Date(Date.now() - 15 * 86_400_000) });
      const late = await call("POST", `/api/orders/${old}/disputes`, buyer, { reason: "Rotten" });
      expect((await json<{ error: { code: string } }>(late, 409)).error.code).to.equal("order_not_disputable");
    });

    it("validates the reason, and answers 401, 403 and 404 to those who may not open one", async function () {
      const orderId = await cardOrder();
      const path = `/api/orders/${orderId}/disputes`;
      const invalid = await json<{ error: { details: { issues: { path: string }[] } } }>(
        await call("POST", path, buyer, { reason: "" }),
        400,
      );
      expect(invalid.error.details.issues.map((issue) => issue.path)).to.deep.equal(["body.reason"]);
      await json(await call("POST", path, buyer, { reason: "x".repeat(501) }), 400);
      await json(await call("POST", path, null, { reason: "No token" }), 401);
      await json(await call("POST", path, stranger, { reason: "Not mine" }), 404);
      await json(await call("POST", `/api/orders/${randomUUID()}/disputes`, buyer, { reason: "No order" }), 404);
      await json(await call("POST", path, arbiter, { reason: "Arbiters do not open" }), 403);
      await json(await call("POST", "/api/orders/not-a-uuid/disputes", buyer, { reason: "Bad id" }), 400);
      expect((await timelineOf(orderId)).map((event) => event.kind)).to.deep.equal([]);
    });
  });

  describe("reading, messages and evidence", function () {
    it("shows the dispute to both parties, arbiters and admins, and to nobody else", async function () {
      const dispute = await openDispute(await cardOrder());
      for (const who of [buyer, farmer, arbiter, admin]) {
        const read = await json<DisputeBody>(await call("GET", `/api/disputes/${dispute.id}`, who), 200);
        expect(read.id).to.equal(dispute.id);
        expect(read.order.farm.name).to.equal("Dispute Farm");
      }
      await json(await call("GET", `/api/disputes/${dispute.id}`, stranger), 404);
      await json(await call("GET", `/api/disputes/${randomUUID()}`, buyer), 404);
      await json(await call("GET", `/api/disputes/${dispute.id}`, null), 401);
      await json(await call("GET", "/api/disputes/nope", buyer), 400);
    });

    it("lists an order's disputes, newest first, to the same people", async function () {
      const orderId = await cardOrder();
      const undisputed = await json<{ disputes: DisputeBody[] }>(
        await call("GET", `/api/orders/${orderId}/disputes`, buyer),
        200,
      );
      expect(undisputed.disputes).to.deep.equal([]);
      const first = await openDispute(orderId);
      await json(await call("POST", `/api/disputes/${first.id}/ruling`, arbiter, { buyerShareMinor: 0 }), 200);
      await api.database.pool.query("UPDATE orders SET status = 'delivered' WHERE id = $1", [orderId]);
      const second = await openDispute(orderId, farmer, { reason: "The buyer keeps complaining" });
      for (const who of [buyer, farmer, arbiter, admin]) {
        const listed = await json<{ disputes: DisputeBody[] }>(
          await call("GET", `/api/orders/${orderId}/disputes`, who),
          200,
        );
        expect(listed.disputes.map((dispute) => [dispute.id, dispute.status])).to.deep.equal([
          [second.id, "open"],
          [first.id, "ruled"],
        ]);
      }
      await json(await call("GET", `/api/orders/${orderId}/disputes`, stranger), 404);
      await json(await call("GET", `/api/orders/${randomUUID()}/disputes`, buyer), 404);
      await json(await call("GET", `/api/orders/${orderId}/disputes`, null), 401);
    });

    it("keeps a thread both parties and the arbiter write to and read, with the body kept off the timeline", async function () {
      const orderId = await cardOrder();
      const dispute = await openDispute(orderId);
      const path = `/api/disputes/${dispute.id}/messages`;
      const posted = await json<{ from: string; body: string }>(
        await call("POST", path, buyer, { body: "The photos show the cracks." }),
        201,
      );
      expect(posted).to.deep.include({ from: "buyer", body: "The photos show the cracks." });
      await json(await call("POST", path, farmer, { body: "They left the farm whole." }), 201);
      await json(await call("POST", path, arbiter, { body: "Please both add photos." }), 201);

      for (const who of [buyer, farmer, arbiter]) {
        const read = await json<DisputeBody>(await call("GET", `/api/disputes/${dispute.id}`, who), 200);
        expect(read.messages.map((message) => [message.from, message.body])).to.deep.equal([
          ["buyer", "The photos show the cracks."],
          ["farmer", "They left the farm whole."],
          ["arbiter", "Please both add photos."],
        ]);
      }
      const timeline = await timelineOf(orderId);
      expect(timeline.map((event) => event.kind)).to.deep.equal([
        "dispute_opened",
        "dispute_message",
        "dispute_message",
        "dispute_message",
      ]);
      expect(JSON.stringify(timeline)).not.to.include("cracks");
      expect((await notificationsOf(farmer.id, orderId)).map((row) => row.data)).to.deep.equal([
        { openedBy: "buyer", reason: "Half the eggs broke" },
        { from: "buyer", excerpt: "The photos show the cracks." },
        { from: "arbiter", excerpt: "Please both add photos." },
      ]);
      expect((await notificationsOf(buyer.id, orderId)).map((row) => row.data.from)).to.deep.equal([
        "farmer",
        "arbiter",
      ]);

      await json(await call("POST", path, stranger, { body: "Let me in" }), 404);
      await json(await call("POST", path, admin, { body: "Admins only read" }), 403);
      await json(await call("POST", path, buyer, { body: "" }), 400);
      await json(await call("POST", path, null, { body: "Who am I" }), 401);
      await json(await call("POST", `/api/disputes/${randomUUID()}/messages`, buyer, { body: "Nowhere" }), 404);
    });

    it("takes written and photo evidence from the parties, and refuses a file that is not an image", async function () {
      const orderId = await cardOrder();
      const dispute = await openDispute(orderId);
      const path = `/api/disputes/${dispute.id}/evidence`;
      const text = await json<{ kind: string; from: string }>(
        await call("POST", path, farmer, { text: "Packed in straw, photos at dispatch." }),
        201,
      );
      expect(text).to.deep.include({ kind: "text", from: "farmer" });

      const photo = await json<{ kind: string; photo: { displayUrl: string; thumbnailUrl: string } }>(
        await api.request(path, {
          method: "POST",
          headers: { Authorization: `Bearer ${buyer.token}` },
          body: photoUpload(await pngPhoto()),
        }),
        201,
      );
      expect(photo.kind).to.equal("photo");
      const served = await api.request(new URL(photo.photo.displayUrl, api.url).pathname);
      expect(served.status).to.equal(200);
      expect(served.headers.get("content-type")).to.equal("image/webp");

      const notImage = await api.request(path, {
        method: "POST",
        headers: { Authorization: `Bearer ${buyer.token}` },
        body: photoUpload(Buffer.from("#!/bin/sh\necho not a photo\n"), "image/png"),
      });
      expect((await json<{ error: { code: string } }>(notImage, 415)).error.code).to.equal("unsupported_media_type");

      const read = await json<DisputeBody>(await call("GET", `/api/disputes/${dispute.id}`, arbiter), 200);
      expect(read.evidence.map((item) => [item.kind, item.from, item.photo === null])).to.deep.equal([
        ["text", "farmer", true],
        ["photo", "buyer", false],
      ]);
      expect((await timelineOf(orderId)).map((event) => event.kind)).to.deep.equal([
        "dispute_opened",
        "dispute_evidence",
        "dispute_evidence",
      ]);

      await json(await call("POST", path, buyer, { text: "" }), 400);
      await json(await call("POST", path, buyer, { note: "wrong field" }), 400);
      await json(await call("POST", path, null, { text: "Anonymous" }), 401);
      await json(await call("POST", path, admin, { text: "Admins only read" }), 403);
      const strangerUpload = await api.request(path, {
        method: "POST",
        headers: { Authorization: `Bearer ${stranger.token}` },
        body: photoUpload(await pngPhoto()),
      });
      expect(strangerUpload.status).to.equal(404);
      const plain = await api.request(path, {
        method: "POST",
        headers: { Authorization: `Bearer ${buyer.token}`, "Content-Type": "text/plain" },
        body: "plain words",
      });
      expect(plain.status).to.equal(415);
    });
  });

  describe("arbiters", function () {
    it("list open disputes oldest first, with their orders", async function () {
      const older = await openDispute(await cardOrder());
      const newer = await openDispute(await cardOrder({ status: "shipped" }));
      const queue = await json<{ disputes: { id: string; order: { status: string } }[] }>(
        await call("GET", "/api/arbiter/disputes?limit=100", arbiter),
        200,
      );
      const ids = queue.disputes.map((dispute) => dispute.id);
      expect(ids).to.include.members([older.id, newer.id]);
      expect(ids.indexOf(older.id)).to.be.lessThan(ids.indexOf(newer.id));
      expect(queue.disputes.find((dispute) => dispute.id === newer.id)!.order.status).to.equal("disputed");

      await json(await call("GET", "/api/arbiter/disputes", buyer), 403);
      await json(await call("GET", "/api/arbiter/disputes", null), 401);
      await json(await call("GET", "/api/arbiter/disputes?limit=0", arbiter), 400);
    });

    it("rule on a card dispute: the buyer's share is refunded through the seam and the dispute is closed", async function () {
      const orderId = await cardOrder();
      const dispute = await openDispute(orderId);
      const before = refunds.length;
      const ruled = await json<{ dispute: DisputeBody; escrowCall: unknown; refund: { stripeRefundId: string } }>(
        await call("POST", `/api/disputes/${dispute.id}/ruling`, arbiter, { buyerShareMinor: 1_000 }),
        200,
      );
      expect(refunds.slice(before)).to.deep.equal([
        {
          orderId,
          amountMinor: 1_000,
          reason: "dispute ruling: Half the eggs broke",
          actorId: arbiter.id,
          disputeId: dispute.id,
        },
      ]);
      expect(ruled.escrowCall).to.equal(null);
      expect(ruled.refund.stripeRefundId).to.match(/^re_test_/);
      expect(ruled.dispute.status).to.equal("ruled");
      expect(ruled.dispute.ruling).to.deep.include({
        buyerShareMinor: 1_000,
        farmShareMinor: 1_500,
        pending: false,
        ruledBy: arbiter.id,
      });
      expect(ruled.dispute.order.status).to.equal("resolved");
      const ruling = (await timelineOf(orderId)).find((event) => event.kind === "dispute_ruling")!;
      expect(ruling.data).to.include({ buyerShareMinor: 1_000, farmShareMinor: 1_500, pending: false });
      for (const told of [buyer, farmer]) {
        expect((await notificationsOf(told.id, orderId)).at(-1)).to.deep.equal({
          kind: "dispute_resolved",
          data: { buyerMinor: 1_000, farmerMinor: 1_500, currency: "USD" },
        });
      }

      const again = await call("POST", `/api/disputes/${dispute.id}/ruling`, arbiter, { buyerShareMinor: 2_500 });
      expect((await json<{ error: { code: string } }>(again, 409)).error.code).to.equal("dispute_closed");
      const late = await call("POST", `/api/disputes/${dispute.id}/messages`, buyer, { body: "One more thing" });
      expect((await json<{ error: { code: string } }>(late, 409)).error.code).to.equal("dispute_closed");
      expect(refunds.length).to.equal(before + 1);
    });

    it("refund nothing when the ruling gives the farm everything", async function () {
      const dispute = await openDispute(await cardOrder());
      const before = refunds.length;
      const ruled = await json<{ refund: unknown; dispute: DisputeBody }>(
        await call("POST", `/api/disputes/${dispute.id}/ruling`, arbiter, { buyerShareMinor: 0 }),
        200,
      );
      expect(ruled.refund).to.equal(null);
      expect(ruled.dispute.ruling).to.deep.include({ buyerShareMinor: 0, farmShareMinor: 2_500 });
      expect(refunds.length).to.equal(before);
    });

    it("validate the share and who rules", async function () {
      const dispute = await openDispute(await cardOrder());
      const path = `/api/disputes/${dispute.id}/ruling`;
      const tooMuch = await json<{ error: { details: { issues: { path: string }[] } } }>(
        await call("POST", path, arbiter, { buyerShareMinor: 2_501 }),
        400,
      );
      expect(tooMuch.error.details.issues.map((issue) => issue.path)).to.deep.equal(["body.buyerShareMinor"]);
      await json(await call("POST", path, arbiter, { buyerShareMinor: -1 }), 400);
      await json(await call("POST", path, arbiter, { buyerShareMinor: 10.5 }), 400);
      await json(await call("POST", path, buyer, { buyerShareMinor: 2_500 }), 403);
      await json(await call("POST", path, admin, { buyerShareMinor: 2_500 }), 403);
      await json(await call("POST", path, null, { buyerShareMinor: 2_500 }), 401);
      await json(await call("POST", `/api/disputes/${randomUUID()}/ruling`, arbiter, { buyerShareMinor: 1 }), 404);
      // An arbiter who bought the order is a party, not a judge.
      const judgeAndParty = await actor(["buyer", "arbiter"], buyer.id);
      await json(await call("POST", path, judgeAndParty, { buyerShareMinor: 2_500 }), 403);
      const read = await json<DisputeBody>(await call("GET", `/api/disputes/${dispute.id}`, buyer), 200);
      expect(read).to.deep.include({ status: "open", ruling: null });
    });
  });

  describe("order notifications", function () {
    it("tell the buyer once when an unpaid order expires, however often the job runs", async function () {
      const orderId = await cardOrder({ status: "awaiting_payment" });
      await api.database.pool.query("UPDATE orders SET expires_at = now() - interval '1 minute' WHERE id = $1", [
        orderId,
      ]);
      const job = startReservationExpiryJob({
        fork: () => api.orm.em.fork(),
        notifications: api.live.notifications,
        paymentInFlight: paymentInFlightGuardFor(api.config),
        intervalMs: 60_000,
        log: pino({ level: "silent" }),
        onStockChanged: () => Promise.resolve(),
        schedule: false,
      });
      await job.runOnce();
      await job.runOnce();
      await job.stop();
      expect(await notificationsOf(buyer.id, orderId)).to.deep.equal([{ kind: "order_expired", data: {} }]);
    });

    it("tell the buyer their cancelled order is cancelled", async function () {
      const orderId = await cardOrder({ status: "awaiting_payment" });
      await json(await call("POST", `/api/orders/${orderId}/cancel`, buyer), 200);
      expect(await notificationsOf(buyer.id, orderId)).to.deep.equal([
        { kind: "order_cancelled", data: { by: "buyer" } },
      ]);
    });
  });

  describe("admin overview", function () {
    it("counts flagged orders and open disputes, with no reconciliation run yet", async function () {
      const flaggedOrder = await cardOrder({ status: "awaiting_payment" });
      await api.database.pool.query(
        "INSERT INTO order_flags (order_id, kind, details, source_key) VALUES ($1, 'amount_mismatch', '{}', $2)",
        [flaggedOrder, `test:${flaggedOrder}`],
      );
      const overview = await json<{
        flaggedOrders: { count: number; latest: { orderId: string; kind: string }[] };
        openDisputes: { count: number; oldest: { status: string }[] };
        reconciliationRuns: unknown;
      }>(await call("GET", "/api/admin/overview", admin), 200);
      const { rows } = await api.database.pool.query<{ count: string }>(
        "SELECT count(*) FROM disputes WHERE status = 'open'",
      );
      expect(overview.openDisputes.count).to.equal(Number(rows[0].count));
      expect(overview.openDisputes.oldest.every((dispute) => dispute.status === "open")).to.equal(true);
      expect(overview.flaggedOrders.count).to.equal(1);
      expect(overview.flaggedOrders.latest[0]).to.deep.include({ orderId: flaggedOrder, kind: "amount_mismatch" });
      expect(overview.reconciliationRuns).to.deep.equal([]);

      await json(await call("GET", "/api/admin/overview", arbiter), 403);
      await json(await call("GET", "/api/admin/overview", null), 401);
    });

    it("lists the latest reconciliation runs, newest first", async function () {
      await api.database.pool.query(
        `INSERT INTO reconciliation_runs (window_from, window_to, started_at, finished_at, differences, result)
         VALUES ('2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z', '2026-12-02T00:00:01Z', '2026-12-02T00:00:05Z', 0, '{}'),
                ('2026-12-02T00:00:00Z', '2026-12-03T00:00:00Z', '2026-12-03T00:00:01Z', '2026-12-03T00:00:04Z', 2, '{}')`,
      );
      try {
        const overview = await json<{ reconciliationRuns: { windowTo: string; differences: number }[] }>(
          await call("GET", "/api/admin/overview", admin),
          200,
        );
        expect(overview.reconciliationRuns.map((run) => [run.windowTo, run.differences])).to.deep.equal([
          ["2026-12-03T00:00:00.000Z", 2],
          ["2026-12-02T00:00:00.000Z", 0],
        ]);
      } finally {
        await api.database.pool.query("DELETE FROM reconciliation_runs");
      }
    });
  });
});
