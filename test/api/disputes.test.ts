import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { pino } from "pino";
import sharp from "sharp";

import type { CardRuling } from "../../api/src/card-payments/card-rulings.js";
import { paymentInFlightGuardFor } from "../../api/src/checkout/payment-in-flight-guard.js";
import { startReservationExpiryJob } from "../../api/src/checkout/reservation-expiry-job.js";
import { startEvidencePhotoJob } from "../../api/src/disputes/evidence-photo-job.js";
import { createEvidencePhotoLinks } from "../../api/src/disputes/evidence-photo-links.js";
import { newPhotoKey } from "../../api/src/photos/new-photo-key.js";
import { createDiskPhotoStore } from "../../api/src/photos/photo-store.js";
import type { PhotoStore } from "../../api/src/photos/photo-store.js";
import { processPhoto } from "../../api/src/photos/process-photo.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { GOOD_PASSWORD, createAuthClient } from "../support/auth-client.js";
import { insertFarm, insertUser } from "../support/cart-fixtures.js";
import { farmOwner, insertOrder } from "../support/order-fixtures.js";

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
  timeout: { deadline: string; buyerShareMinor: number } | null;
  order: { id: string; status: string; totalMinor: number; farm: { name: string } };
  messages: { authorId: string; from: string; body: string }[];
  evidence: EvidenceBody[];
}

interface EvidenceBody {
  id: string;
  kind: string;
  text: string | null;
  from: string;
  photo: { thumbnailUrl: string; displayUrl: string; expiresAt: string } | null;
  photoRemovedAt: string | null;
}

describe("API disputes", function () {
  this.timeout(60_000);

  let api: ApiTestApp;
  const rulings: CardRuling[] = [];
  /** The refund the seam "recorded" for each dispute's ruling: one per dispute, as the real key makes it. */
  const refundOf = new Map<string, string>();
  let farmId: string;
  let buyer: Actor;
  let farmer: Actor;
  let stranger: Actor;
  let arbiter: Actor;
  let admin: Actor;
  let uploadDir: string;
  let evidenceDir: string;
  let publicStore: PhotoStore;
  let evidenceStore: PhotoStore;

  async function actor(roles: string[], id?: string): Promise<Actor> {
    const userId = id ?? (await insertUser(api.database.pool, roles));
    const { token } = await api.accessTokens.issue({ id: userId, roles: roles as never });
    return { id: userId, token };
  }

  before(async function () {
    uploadDir = await mkdtemp(path.join(tmpdir(), "agridao-dispute-uploads-"));
    evidenceDir = await mkdtemp(path.join(tmpdir(), "agridao-dispute-evidence-"));
    publicStore = createDiskPhotoStore({ dir: uploadDir });
    evidenceStore = createDiskPhotoStore({ dir: evidenceDir });
    api = await startApiApp({
      env: { UPLOAD_DIR: uploadDir, EVIDENCE_DIR: evidenceDir },
      cardRulings: {
        // A test seam at the dispute service's boundary: records what a ruling asks of the money, moves none.
        record(_tx, ruling) {
          rulings.push(ruling);
          if (ruling.buyerShareMinor === 0) return Promise.resolve({ refundId: null });
          if (!refundOf.has(ruling.disputeId)) refundOf.set(ruling.disputeId, randomUUID());
          return Promise.resolve({ refundId: refundOf.get(ruling.disputeId)! });
        },
        carryOut(_orderId, refundId) {
          return Promise.resolve(
            refundId === null
              ? null
              : { refundId, stripeRefundId: `re_test_${refundId}`, status: "succeeded" as const },
          );
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
    await rm(uploadDir, { recursive: true, force: true });
    await rm(evidenceDir, { recursive: true, force: true });
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

    it("refuses an unpaid order, and a card order past the dispute window after shipment or delivery", async function () {
      const day = 86_400_000;
      const ago = (days: number) => new Date(Date.now() - days * day);
      const unpaid = await cardOrder({ status: "awaiting_payment" });
      const early = await call("POST", `/api/orders/${unpaid}/disputes`, buyer, { reason: "Not here yet" });
      expect((await json<{ error: { code: string } }>(early, 409)).error.code).to.equal("order_not_disputable");
      const old = await insertOrder(api.database.pool, {
        buyerId: buyer.id,
        farmId,
        status: "delivered",
        paidAt: ago(20),
        shippedAt: ago(18),
        deliveredAt: ago(15),
      });
      const late = await call("POST", `/api/orders/${old}/disputes`, buyer, { reason: "Rotten" });
      const refused = await json<{ error: { code: string; message: string } }>(late, 409);
      expect(refused.error.code).to.equal("order_not_disputable");
      expect(refused.error.message).to.include("after delivery");
      // The window runs from shipment, not payment: a slow farm cannot run the buyer's window out.
      const slow = await insertOrder(api.database.pool, {
        buyerId: buyer.id,
        farmId,
        status: "shipped",
        paidAt: ago(20),
        shippedAt: ago(10),
      });
      await openDispute(slow);
      const neverShipped = await insertOrder(api.database.pool, { buyerId: buyer.id, farmId, paidAt: ago(30) });
      await openDispute(neverShipped);
    });

    it("gives a card dispute the escrow's arbitration deadline and says what its default outcome would be", async function () {
      const before = Date.now();
      const unshipped = await openDispute(await cardOrder());
      // The escrow terms in this database are the API's fallbacks (no indexer rows): 14 days, CARD_ARBITRATION_…
      const deadline = Date.parse(unshipped.timeout!.deadline);
      expect(deadline - before).to.be.within(14 * 86_400_000 - 1_000, 14 * 86_400_000 + 60_000);
      expect(unshipped.timeout!.buyerShareMinor).to.equal(2_500);
      const shipped = await openDispute(await cardOrder({ status: "shipped" }));
      expect(shipped.timeout!.buyerShareMinor).to.equal(1_250);
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
      const served = await api.request(photo.photo.displayUrl);
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

  describe("evidence photos", function () {
    async function uploadPhoto(disputeId: string, who: Actor): Promise<EvidenceBody> {
      return json<EvidenceBody>(
        await api.request(`/api/disputes/${disputeId}/evidence`, {
          method: "POST",
          headers: { Authorization: `Bearer ${who.token}` },
          body: photoUpload(await pngPhoto()),
        }),
        201,
      );
    }

    async function photoKeyOf(evidenceId: string): Promise<string | null> {
      const { rows } = await api.database.pool.query<{ photo_key: string | null }>(
        "SELECT photo_key FROM dispute_evidence WHERE id = $1",
        [evidenceId],
      );
      return rows[0].photo_key;
    }

    async function evidenceAsSeenBy(who: Actor, disputeId: string, evidenceId: string): Promise<EvidenceBody> {
      const read = await json<DisputeBody>(await call("GET", `/api/disputes/${disputeId}`, who), 200);
      return read.evidence.find((item) => item.id === evidenceId)!;
    }

    /** A link signed with the API's own secret, as the API would have issued it to `viewerId` at `at`. */
    function signedLink(disputeId: string, evidenceId: string, viewerId: string, at = new Date()): string {
      return createEvidencePhotoLinks({ secret: api.config.jwt.secret, now: () => at }).urls(
        { disputeId, evidenceId },
        viewerId,
      ).displayUrl;
    }

    async function expectNotFound(url: string): Promise<void> {
      const body = await json<{ error: { code: string } }>(await api.request(url), 404);
      expect(body.error.code).to.equal("not_found");
    }

    function evidenceJob(now?: () => Date) {
      return startEvidencePhotoJob({
        fork: () => api.orm.em.fork(),
        stores: { evidenceStore, publicStore },
        retentionMs: api.config.disputes.evidenceRetentionMs,
        intervalMs: 60_000,
        log: pino({ level: "silent" }),
        now,
        schedule: false,
      });
    }

    it("are served only through links issued to the dispute's parties and staff, privately cached, never publicly", async function () {
      const dispute = await openDispute(await cardOrder());
      const uploaded = await uploadPhoto(dispute.id, buyer);
      const key = (await photoKeyOf(uploaded.id))!;
      expect(await evidenceStore.get(key, "display")).to.not.equal(undefined);
      expect(await publicStore.get(key, "display")).to.equal(undefined);
      await expectNotFound(`/api/photos/${key}/display.webp`);
      await expectNotFound(`/api/photos/${key}/thumbnail.webp`);

      for (const who of [buyer, farmer, arbiter, admin]) {
        const { photo } = await evidenceAsSeenBy(who, dispute.id, uploaded.id);
        expect(photo!.displayUrl).to.not.include(key);
        expect(new URL(photo!.displayUrl, api.url).searchParams.get("viewer")).to.equal(who.id);
        for (const url of [photo!.thumbnailUrl, photo!.displayUrl]) {
          const served = await api.request(url);
          expect(served.status, url).to.equal(200);
          expect(served.headers.get("content-type")).to.equal("image/webp");
          const cacheControl = served.headers.get("cache-control") ?? "";
          expect(cacheControl).to.match(/^private, max-age=\d+$/);
          expect(Number(/max-age=(\d+)/.exec(cacheControl)![1])).to.be.within(14 * 60, 20 * 60);
          const metadata = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
          expect(metadata.format).to.equal("webp");
        }
      }
    });

    it("answer 404 to anyone else, and to a forged, altered or expired link", async function () {
      const dispute = await openDispute(await cardOrder());
      const uploaded = await uploadPhoto(dispute.id, farmer);
      const otherFarm = await insertFarm(api.database.pool, "Other Farm");
      const otherFarmer = await actor(["buyer", "farmer"], await farmOwner(api.database.pool, otherFarm));
      await json(await call("GET", `/api/disputes/${dispute.id}`, otherFarmer), 404);
      // Even a link the API itself signed opens nothing for someone who may not see the dispute.
      for (const outsider of [stranger, otherFarmer])
        await expectNotFound(signedLink(dispute.id, uploaded.id, outsider.id));

      const own = new URL(uploaded.photo!.displayUrl, api.url);
      expect((await api.request(`${own.pathname}${own.search}`)).status).to.equal(200);
      const altered = (change: (params: URLSearchParams) => void, pathname = own.pathname) => {
        const params = new URLSearchParams(own.search);
        change(params);
        return `${pathname}?${params.toString()}`;
      };
      await expectNotFound(altered((params) => params.set("viewer", stranger.id)));
      await expectNotFound(altered((params) => params.set("expires", String(Number(params.get("expires")) + 3_600))));
      await expectNotFound(altered((params) => params.set("signature", "A".repeat(43))));
      await expectNotFound(altered((params) => params.delete("signature")));
      await expectNotFound(own.pathname);
      const otherEvidence = own.pathname.replace(`/evidence/${uploaded.id}/`, `/evidence/${Number(uploaded.id) + 1}/`);
      await expectNotFound(altered(() => undefined, otherEvidence));
      await expectNotFound(signedLink(dispute.id, uploaded.id, buyer.id, new Date(Date.now() - 21 * 60_000)));

      // A link outliving its viewer's role opens nothing either.
      const formerArbiter = await actor(["arbiter"]);
      const link = signedLink(dispute.id, uploaded.id, formerArbiter.id);
      expect((await api.request(link)).status).to.equal(200);
      await api.database.pool.query("UPDATE users SET roles = '{buyer}' WHERE id = $1", [formerArbiter.id]);
      await expectNotFound(link);
    });

    it("stored in the public photo store before evidence had its own are moved out of it", async function () {
      const dispute = await openDispute(await cardOrder());
      const key = newPhotoKey();
      await publicStore.put(key, (await processPhoto(await pngPhoto())).renditions);
      const { rows } = await api.database.pool.query<{ id: string }>(
        `INSERT INTO dispute_evidence (dispute_id, uploader_id, kind, photo_key, photo_in_public_store)
         VALUES ($1, $2, 'photo', $3, true) RETURNING id`,
        [dispute.id, buyer.id, key],
      );
      const { photo } = await evidenceAsSeenBy(farmer, dispute.id, rows[0].id);
      expect((await api.request(photo!.displayUrl)).status).to.equal(200);

      const job = evidenceJob();
      expect((await job.runOnce()).moved).to.equal(1);
      await expectNotFound(`/api/photos/${key}/display.webp`);
      await expectNotFound(`/api/photos/${key}/thumbnail.webp`);
      expect(await publicStore.get(key, "display")).to.equal(undefined);
      expect((await api.request(photo!.displayUrl)).status).to.equal(200);
      const { rows: flags } = await api.database.pool.query<{ photo_in_public_store: boolean }>(
        "SELECT photo_in_public_store FROM dispute_evidence WHERE id = $1",
        [rows[0].id],
      );
      expect(flags[0].photo_in_public_store).to.equal(false);
      expect((await job.runOnce()).moved).to.equal(0);
      await job.stop();
    });

    it("are deleted once the retention after the dispute closed has passed, those of open disputes kept", async function () {
      const closed = await openDispute(await cardOrder());
      const closedPhoto = await uploadPhoto(closed.id, buyer);
      const statement = await json<EvidenceBody>(
        await call("POST", `/api/disputes/${closed.id}/evidence`, farmer, { text: "Packed in straw." }),
        201,
      );
      const closedKey = (await photoKeyOf(closedPhoto.id))!;
      const resolvedAt = new Date(Date.now() - 60_000);
      await api.database.pool.query(
        `UPDATE disputes SET status = 'ruled', resolved_at = $2, ruled_at = $2, buyer_share_minor = 0,
                             farm_share_minor = 2500
          WHERE id = $1`,
        [closed.id, resolvedAt],
      );
      const open = await openDispute(await cardOrder());
      const openPhoto = await uploadPhoto(open.id, buyer);
      const retentionMs = api.config.disputes.evidenceRetentionMs;
      expect(retentionMs, "DISPUTE_EVIDENCE_RETENTION_DAYS defaults to 180").to.equal(180 * 86_400_000);

      const early = evidenceJob(() => new Date(resolvedAt.getTime() + retentionMs - 60_000));
      await early.runOnce();
      expect(await photoKeyOf(closedPhoto.id)).to.equal(closedKey);
      expect((await api.request(closedPhoto.photo!.displayUrl)).status).to.equal(200);

      const removedAt = new Date(resolvedAt.getTime() + retentionMs + 60_000);
      const due = evidenceJob(() => removedAt);
      expect(await due.runOnce()).to.deep.include({ expired: 1, deleted: 1 });
      expect(await photoKeyOf(closedPhoto.id)).to.equal(null);
      for (const size of ["thumbnail", "display"] as const) {
        expect(await evidenceStore.get(closedKey, size)).to.equal(undefined);
      }
      await expectNotFound(closedPhoto.photo!.displayUrl);
      expect(await evidenceAsSeenBy(buyer, closed.id, closedPhoto.id)).to.deep.include({
        photo: null,
        photoRemovedAt: removedAt.toISOString(),
      });
      expect((await evidenceAsSeenBy(buyer, closed.id, statement.id)).text).to.equal("Packed in straw.");
      expect(await photoKeyOf(openPhoto.id)).to.not.equal(null);
      expect((await api.request(openPhoto.photo!.displayUrl)).status).to.equal(200);
      expect(await due.runOnce()).to.deep.include({ expired: 0, deleted: 0 });
      await Promise.all([early.stop(), due.stop()]);
    });

    it("are deleted with the account that uploaded them, the other side's kept", async function () {
      const session = await createAuthClient(api).register(`leaving-${randomUUID()}@example.com`);
      const leaving: Actor = { id: session.user.id, token: session.accessToken };
      const dispute = await openDispute(await insertOrder(api.database.pool, { buyerId: leaving.id, farmId }), leaving);
      const theirs = await uploadPhoto(dispute.id, leaving);
      const farmers = await uploadPhoto(dispute.id, farmer);
      const theirKey = (await photoKeyOf(theirs.id))!;
      const farmerLink = (await evidenceAsSeenBy(farmer, dispute.id, theirs.id)).photo!.displayUrl;

      const deleted = await api.request("/api/account", {
        method: "DELETE",
        headers: { Authorization: `Bearer ${leaving.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ password: GOOD_PASSWORD }),
      });
      expect(deleted.status).to.equal(204);
      expect(await photoKeyOf(theirs.id)).to.equal(null);
      await Promise.all(
        (["thumbnail", "display"] as const).map(async (size) =>
          expect(await evidenceStore.get(theirKey, size)).to.equal(undefined),
        ),
      );
      await expectNotFound(farmerLink);
      await expectNotFound(theirs.photo!.displayUrl);
      const seen = await evidenceAsSeenBy(farmer, dispute.id, theirs.id);
      expect(seen.photo).to.equal(null);
      expect(seen.photoRemovedAt).to.be.a("string");
      const kept = await evidenceAsSeenBy(farmer, dispute.id, farmers.id);
      expect((await api.request(kept.photo!.displayUrl)).status).to.equal(200);
      expect(await evidenceStore.get((await photoKeyOf(farmers.id))!, "display")).to.not.equal(undefined);
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
      const before = rulings.length;
      const ruled = await json<{
        dispute: DisputeBody;
        escrowCall: unknown;
        refund: { refundId: string; stripeRefundId: string; status: string };
      }>(await call("POST", `/api/disputes/${dispute.id}/ruling`, arbiter, { buyerShareMinor: 1_000 }), 200);
      expect(rulings.slice(before)).to.deep.equal([
        {
          orderId,
          disputeId: dispute.id,
          buyerShareMinor: 1_000,
          reason: "Half the eggs broke",
          actorId: arbiter.id,
        },
      ]);
      expect(ruled.escrowCall).to.equal(null);
      expect(ruled.refund).to.deep.equal({
        refundId: refundOf.get(dispute.id),
        stripeRefundId: `re_test_${refundOf.get(dispute.id)}`,
        status: "succeeded",
      });
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

      const other = await call("POST", `/api/disputes/${dispute.id}/ruling`, arbiter, { buyerShareMinor: 2_500 });
      expect((await json<{ error: { code: string } }>(other, 409)).error.code).to.equal("dispute_closed");
      const late = await call("POST", `/api/disputes/${dispute.id}/messages`, buyer, { body: "One more thing" });
      expect((await json<{ error: { code: string } }>(late, 409)).error.code).to.equal("dispute_closed");
      // The same ruling again (its answer was lost) carries out the one recorded: same refund, nobody told twice.
      const told = (await notificationsOf(buyer.id, orderId)).length;
      const same = await json<{ refund: { refundId: string } }>(
        await call("POST", `/api/disputes/${dispute.id}/ruling`, arbiter, { buyerShareMinor: 1_000 }),
        200,
      );
      expect(same.refund.refundId).to.equal(refundOf.get(dispute.id));
      expect((await notificationsOf(buyer.id, orderId)).length).to.equal(told);
      expect((await timelineOf(orderId)).filter((event) => event.kind === "dispute_ruling")).to.have.length(1);
    });

    it("refund nothing when the ruling gives the farm everything", async function () {
      const dispute = await openDispute(await cardOrder());
      const ruled = await json<{ refund: unknown; dispute: DisputeBody }>(
        await call("POST", `/api/disputes/${dispute.id}/ruling`, arbiter, { buyerShareMinor: 0 }),
        200,
      );
      expect(ruled.refund).to.equal(null);
      expect(ruled.dispute.ruling).to.deep.include({ buyerShareMinor: 0, farmShareMinor: 2_500 });
      expect(rulings.at(-1)).to.include({ disputeId: dispute.id, buyerShareMinor: 0 });
      expect(refundOf.has(dispute.id)).to.equal(false);
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
      const judgeAndParty = await actor(["buyer", "arbiter"]);
      const own = await openDispute(
        await insertOrder(api.database.pool, { buyerId: judgeAndParty.id, farmId }),
        judgeAndParty,
      );
      await json(await call("POST", `/api/disputes/${own.id}/ruling`, judgeAndParty, { buyerShareMinor: 2_500 }), 403);
      const read = await json<DisputeBody>(await call("GET", `/api/disputes/${dispute.id}`, buyer), 200);
      expect(read).to.deep.include({ status: "open", ruling: null });
    });

    it("stop an arbiter at once when the role is revoked or the account deleted, whatever their token says", async function () {
      const dispute = await openDispute(await cardOrder());
      const path = `/api/disputes/${dispute.id}`;
      const [revoked, deleted] = [await actor(["arbiter"]), await actor(["arbiter"])];
      await json(await call("GET", path, revoked), 200);
      await api.database.pool.query("UPDATE users SET roles = '{buyer}' WHERE id = $1", [revoked.id]);
      await api.database.pool.query("UPDATE users SET deleted_at = now() WHERE id = $1", [deleted.id]);
      const before = rulings.length;

      await json(await call("POST", `${path}/ruling`, revoked, { buyerShareMinor: 2_500 }), 403);
      await json(await call("POST", `${path}/ruling`, deleted, { buyerShareMinor: 2_500 }), 401);
      await json(await call("GET", "/api/arbiter/disputes", revoked), 403);
      await json(await call("GET", path, revoked), 404);
      await json(await call("POST", `${path}/messages`, revoked, { body: "Ruling for the buyer" }), 404);
      expect(rulings.length).to.equal(before);
      const read = await json<DisputeBody>(await call("GET", path, buyer), 200);
      expect(read).to.deep.include({ status: "open", ruling: null });
      expect(read.messages.map((message) => message.body)).not.to.include("Ruling for the buyer");
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
