import { randomUUID } from "node:crypto";

import { expect } from "chai";
import { pino } from "pino";

import { startCardDeadlineJob } from "../../api/src/card-payments/card-deadline-job.js";
import { RefundKeyReusedError } from "../../api/src/card-payments/card-payment-errors.js";
import { createCardPayments } from "../../api/src/card-payments/card-payments.js";
import type { CardPayments } from "../../api/src/card-payments/card-payments.js";
import { reconcileStripe } from "../../api/src/card-payments/reconcile-stripe.js";
import { paymentInFlightGuardFor } from "../../api/src/checkout/payment-in-flight-guard.js";
import { startReservationExpiryJob } from "../../api/src/checkout/reservation-expiry-job.js";
import { createCardDisputeTimeouts } from "../../api/src/disputes/card-dispute-timeouts.js";
import { marketplaceEscrowConstants } from "../../protocol/generated/contracts.js";
import { startApiApp } from "../support/api-app.js";
import { startApiProcess } from "../support/api-process.js";
import { CARD_WEBHOOK_SECRET, cardApiEnv, startCardHarness } from "../support/card-payment-harness.js";
import type { CardHarness } from "../support/card-payment-harness.js";
import { insertUser } from "../support/cart-fixtures.js";
import { freePort } from "../support/free-port.js";
import { stockOf } from "../support/order-fixtures.js";
import { within } from "../support/within.js";

const CARD_OK = "4242424242424242";
const CARD_DECLINED = "4000000000000002";
const CARD_3DS = "4000002760003184";

describe("API card payments (Stripe)", function () {
  this.timeout(60_000);
  let h: CardHarness;
  let card: CardPayments;

  before(async function () {
    h = await startCardHarness();
    card = createCardPayments({
      config: h.api.config,
      fork: () => h.api.orm.em.fork(),
      notifications: h.api.live.notifications,
      onStockChanged: () => Promise.resolve(),
      log: pino({ level: "silent" }),
    })!;
  });

  after(async function () {
    await h?.close();
  });

  async function count(sql: string, params: unknown[]): Promise<number> {
    const { rows } = await h.api.database.pool.query<{ count: string }>(`SELECT count(*) FROM ${sql}`, params);
    return Number(rows[0].count);
  }

  const notifications = (userId: string, kind: string) =>
    count("notifications WHERE user_id = $1 AND kind = $2", [userId, kind]);

  /** A staff refund request, named by its Idempotency-Key (a new one unless given: another refund). */
  const refundAs = (bearer: string, orderId: string, body: unknown, key: string = randomUUID()) =>
    h.call(`/api/orders/${orderId}/refunds`, bearer, "POST", body, { "Idempotency-Key": key });

  /** A farm, a paid card checkout of one order from it, settled. */
  async function paidOrder(priceMinor = 1_000, quantity = 2) {
    const farm = await h.farm({ priceMinor, stock: 50 });
    const checkout = await h.checkout([{ productId: farm.productId, quantity }]);
    expect(h.local.paySession(checkout.sessionId, { number: CARD_OK }).status).to.equal("succeeded");
    await h.settle();
    return { farm, ...checkout, orderId: checkout.body.orders[0].id };
  }

  async function paymentIntentOf(orderId: string): Promise<string> {
    const { rows } = await h.api.database.pool.query<{ id: string }>(
      "SELECT c.stripe_payment_intent_id AS id FROM orders o JOIN checkouts c ON c.id = o.checkout_id WHERE o.id = $1",
      [orderId],
    );
    return rows[0].id;
  }

  /** The card deadline job on this API's card payments, run by hand. */
  function deadlineJob(now?: () => Date) {
    return startCardDeadlineJob({
      delivery: card.delivery,
      disputes: createCardDisputeTimeouts({
        notifications: h.api.live.notifications,
        rulings: card.rulings,
        defaultShippedBuyerBps: marketplaceEscrowConstants.DEFAULT_SHIPPED_BUYER_BPS,
        fork: () => h.api.orm.em.fork(),
        now,
      }),
      refunds: card.refunds,
      payouts: card.payouts,
      terms: card.terms,
      fork: () => h.api.orm.em.fork(),
      intervalMs: 60_000,
      log: pino({ level: "silent" }),
      now,
      schedule: false,
    });
  }

  describe("checkout", function () {
    it("creates one Stripe Checkout Session per checkout, a line per farm, and replays it for a repeated key", async function () {
      const a = await h.farm({ priceMinor: 250, stock: 10 });
      const b = await h.farm({ priceMinor: 1_000, stock: 10 });
      const buyer = await h.actor(["buyer"]);
      const { fillCart } = await import("../support/order-fixtures.js");
      await fillCart(h.api.database.pool, buyer.id, [
        { productId: a.productId, quantity: 2 },
        { productId: b.productId, quantity: 1 },
      ]);
      const key = randomUUID();
      const first = await h.call(
        "/api/checkout",
        buyer.bearer,
        "POST",
        { paymentMethod: "card" },
        {
          "Idempotency-Key": key,
        },
      );
      const firstBody = (await first.json()) as { checkoutId: string; card: { redirectUrl: string } };
      expect(first.status).to.equal(201);
      const again = await h.call(
        "/api/checkout",
        buyer.bearer,
        "POST",
        { paymentMethod: "card" },
        {
          "Idempotency-Key": key,
        },
      );
      expect(again.headers.get("idempotent-replayed")).to.equal("true");
      expect(((await again.json()) as typeof firstBody).card.redirectUrl).to.equal(firstBody.card.redirectUrl);

      const sessions = await h.stripe.checkout.sessions.list({ limit: 100 });
      const mine = sessions.data.filter((session) => session.client_reference_id === firstBody.checkoutId);
      expect(mine).to.have.length(1);
      const [session] = mine;
      expect(firstBody.card.redirectUrl).to.equal(session.url);
      expect(session.amount_total).to.equal(1_500);
      expect(session.currency).to.equal("usd");
      expect(session.metadata).to.deep.equal({ checkoutId: firstBody.checkoutId });
      expect(session.success_url).to.equal(
        `http://shop.agridao.test/checkout/${firstBody.checkoutId}/done?session_id={CHECKOUT_SESSION_ID}`,
      );
      expect(session.cancel_url).to.equal("http://shop.agridao.test/cart");
      const lines = await h.stripe.checkout.sessions.listLineItems(session.id);
      expect(lines.data.map((line) => [line.description, line.amount_total]).sort()).to.deep.equal(
        [
          [`Order from ${await farmName(a.id)}`, 500],
          [`Order from ${await farmName(b.id)}`, 1_000],
        ].sort(),
      );
      // The reservation (30 min) is shorter than Stripe allows: the session lasts Stripe's minimum instead.
      expect(session.expires_at - session.created).to.be.within(30 * 60, 32 * 60);
    });

    it("refuses card checkout with 422 naming STRIPE_SECRET_KEY when no Stripe key is configured", async function () {
      const bare = await startApiApp();
      try {
        const buyer = await bare.accessTokens.issue({ id: await insertUser(bare.database.pool), roles: ["buyer"] });
        const response = await bare.request("/api/checkout", {
          method: "POST",
          headers: {
            Authorization: `Bearer ${buyer.token}`,
            "Content-Type": "application/json",
            "Idempotency-Key": "k1",
          },
          body: JSON.stringify({ paymentMethod: "card" }),
        });
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(response.status).to.equal(422);
        expect(body.error.code).to.equal("payment_method_unavailable");
        expect(body.error.message).to.contain("STRIPE_SECRET_KEY");
      } finally {
        await bare.close();
      }
    });
  });

  async function farmName(id: string): Promise<string> {
    const { rows } = await h.api.database.pool.query<{ name: string }>("SELECT name FROM farms WHERE id = $1", [id]);
    return rows[0].name;
  }

  describe("paying", function () {
    it("marks the order paid once the card succeeds, telling the buyer and the farmer", async function () {
      const { orderId, buyer, farm } = await paidOrder();
      const order = await h.order(orderId);
      expect(order.status).to.equal("paid");
      expect(order.paidAt).to.not.equal(null);
      const paid = order.timeline.filter((event) => event.kind === "paid");
      expect(paid).to.have.length(1);
      expect(paid[0].data).to.include({ method: "card" });
      expect(paid[0].data.paymentIntentId).to.match(/^pi_/);
      expect(paid[0].data.stripeEventId).to.match(/^evt_/);
      expect(await notifications(buyer.id, "order_paid")).to.equal(1);
      expect(await notifications(farm.ownerId, "new_order")).to.equal(1);
      expect(await count("stripe_events WHERE processed_at IS NULL", [])).to.equal(0);
    });

    it("answers a checkout's orders to its buyer alone, each with what the caller may do with it now", async function () {
      const farm = await h.farm({ priceMinor: 600, stock: 5 });
      const checkout = await h.checkout([{ productId: farm.productId, quantity: 1 }]);
      const read = async (bearer: string) => {
        const response = await h.call(`/api/checkouts/${checkout.body.checkoutId}`, bearer);
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const unpaid = await read(checkout.buyer.bearer);
      expect(unpaid.status).to.equal(200);
      expect(unpaid.body).to.include({ checkoutId: checkout.body.checkoutId, paymentMethod: "card" });
      const [order] = unpaid.body.orders as { id: string; status: string; actions: { kind: string }[] }[];
      expect(order).to.deep.include({ status: "awaiting_payment" });
      expect(order.actions.map((action) => action.kind)).to.deep.equal(["pay", "cancel"]);
      expect((await read((await h.actor(["buyer"])).bearer)).status).to.equal(404);
      expect((await read(farm.ownerBearer)).status).to.equal(404);

      h.local.paySession(checkout.sessionId, { number: CARD_OK });
      await h.settle();
      const paid = (await read(checkout.buyer.bearer)).body.orders as { status: string; actions: { kind: string }[] }[];
      expect(paid[0].status).to.equal("paid");
      expect(paid[0].actions.map((action) => action.kind)).to.deep.equal(["openDispute"]);
      const asFarm = (await (await h.call(`/api/orders/${order.id}`, farm.ownerBearer)).json()) as {
        actions: { kind: string }[];
      };
      expect(asFarm.actions.map((action) => action.kind)).to.deep.equal(["ship", "openDispute"]);
      const shipped = (await (await h.call(`/api/orders/${order.id}/ship`, farm.ownerBearer, "POST")).json()) as {
        status: string;
        actions: { kind: string }[];
      };
      expect(shipped.status).to.equal("shipped");
      expect(shipped.actions.map((action) => action.kind)).to.deep.equal(["openDispute"]);
    });

    it("leaves the order awaiting payment when the card is declined, and records the failed attempt", async function () {
      const farm = await h.farm({ priceMinor: 500, stock: 5 });
      const { sessionId, body } = await h.checkout([{ productId: farm.productId, quantity: 1 }]);
      expect(h.local.paySession(sessionId, { number: CARD_DECLINED }).status).to.equal("declined");
      await h.settle();
      const order = await h.order(body.orders[0].id);
      expect(order.status).to.equal("awaiting_payment");
      expect(order.timeline.map((event) => event.kind)).to.include("payment_failed");
      // The session stays open: the buyer can pay with another card.
      h.local.paySession(sessionId, { number: CARD_OK });
      await h.settle();
      expect((await h.order(body.orders[0].id)).status).to.equal("paid");
    });

    it("pays after a completed 3-D Secure challenge, and not after a failed one", async function () {
      const farm = await h.farm({ priceMinor: 800, stock: 5 });
      const passed = await h.checkout([{ productId: farm.productId, quantity: 1 }]);
      expect(h.local.paySession(passed.sessionId, { number: CARD_3DS, threeDSecure: "complete" }).status).to.equal(
        "succeeded",
      );
      const failed = await h.checkout([{ productId: farm.productId, quantity: 1 }]);
      expect(h.local.paySession(failed.sessionId, { number: CARD_3DS, threeDSecure: "fail" }).status).to.equal(
        "authentication_failed",
      );
      await h.settle();
      expect((await h.order(passed.body.orders[0].id)).status).to.equal("paid");
      expect((await h.order(failed.body.orders[0].id)).status).to.equal("awaiting_payment");
    });

    it("expires the orders and returns their stock when the session expires", async function () {
      const farm = await h.farm({ priceMinor: 300, stock: 7 });
      const { sessionId, body, buyer } = await h.checkout([{ productId: farm.productId, quantity: 3 }]);
      expect(await stockOf(h.api.database.pool, farm.productId)).to.equal(4);
      await h.stripe.checkout.sessions.expire(sessionId);
      await h.settle();
      expect((await h.order(body.orders[0].id)).status).to.equal("expired");
      expect(await stockOf(h.api.database.pool, farm.productId)).to.equal(7);
      expect(await notifications(buyer.id, "order_expired")).to.equal(1);
    });

    it("applies a webhook delivered twice once", async function () {
      h.local.setDuplicateDelivery(true);
      try {
        const { orderId, buyer, farm } = await paidOrder();
        const order = await h.order(orderId);
        expect(order.timeline.filter((event) => event.kind === "paid")).to.have.length(1);
        expect(await notifications(buyer.id, "order_paid")).to.equal(1);
        expect(await notifications(farm.ownerId, "new_order")).to.equal(1);
      } finally {
        h.local.setDuplicateDelivery(false);
      }
    });

    it("reaches the same state whatever order the events arrive in", async function () {
      for (const seed of [1, 7, 42]) {
        const farm = await h.farm({ priceMinor: 1_000, stock: 5 });
        const { sessionId, body, buyer } = await h.checkout([{ productId: farm.productId, quantity: 1 }]);
        h.local.pauseWebhooks();
        h.local.paySession(sessionId, { number: CARD_DECLINED });
        const paid = h.local.paySession(sessionId, { number: CARD_OK });
        if (paid.status !== "succeeded") throw new Error("payment failed");
        // A refund made in Stripe's dashboard, whose events may well arrive before the payment's.
        await h.stripe.refunds.create({ payment_intent: paid.paymentIntent, amount: 400 });
        await h.local.releaseWebhooks(seed);
        await h.settle();
        const order = await h.order(body.orders[0].id);
        expect(order.status, `seed ${seed}`).to.equal("paid");
        expect(order.timeline.filter((event) => event.kind === "paid")).to.have.length(1);
        expect(order.timeline.filter((event) => event.kind === "refunded")).to.have.length(1);
        expect(await count("refunds WHERE order_id = $1 AND amount_minor = 400", [order.id])).to.equal(1);
        expect(await notifications(buyer.id, "order_paid")).to.equal(1);
        expect(await notifications(buyer.id, "refund")).to.equal(1);
      }
    });

    it("refuses a forged, stale or future-dated signature with 400 and stores nothing", async function () {
      const farm = await h.farm({ priceMinor: 600, stock: 5 });
      const { sessionId, body } = await h.checkout([{ productId: farm.productId, quantity: 1 }]);
      h.local.pauseWebhooks();
      h.local.paySession(sessionId, { number: CARD_OK });
      const events = await h.stripe.events.list({ type: "checkout.session.completed", limit: 1 });
      const eventId = events.data[0].id;
      const forged = await h.local.redeliverEvent(eventId, { secret: "whsec_not_the_right_secret" });
      const stale = await h.local.redeliverEvent(eventId, { timestampOffsetSeconds: -301 });
      // Signed 10 minutes ahead: were it accepted, a captured delivery would stay replayable for 15 minutes.
      const future = await h.local.redeliverEvent(eventId, { timestampOffsetSeconds: 600 });
      expect(forged.map((delivery) => delivery.status)).to.deep.equal([400]);
      expect(stale.map((delivery) => delivery.status)).to.deep.equal([400]);
      expect(future.map((delivery) => delivery.status)).to.deep.equal([400]);
      expect(await count("stripe_events WHERE id = $1", [eventId])).to.equal(0);
      expect((await h.order(body.orders[0].id)).status).to.equal("awaiting_payment");
      await h.local.releaseWebhooks(3);
      await h.settle();
      expect(await count("stripe_events WHERE id = $1 AND processed_at IS NOT NULL", [eventId])).to.equal(1);
      expect((await h.order(body.orders[0].id)).status).to.equal("paid");
    });

    it("flags a payment whose amount is not the order's and never marks it paid", async function () {
      const farm = await h.farm({ priceMinor: 1_000, stock: 5 });
      const { sessionId, body, buyer } = await h.checkout([{ productId: farm.productId, quantity: 1 }]);
      // The order's total changed after the session was made: Stripe will charge 1000, the order asks 1100.
      await h.api.database.pool.query("UPDATE orders SET subtotal_minor = 1100, total_minor = 1100 WHERE id = $1", [
        body.orders[0].id,
      ]);
      h.local.paySession(sessionId, { number: CARD_OK });
      await h.settle();
      const order = await h.order(body.orders[0].id);
      expect(order.status).to.equal("awaiting_payment");
      expect(order.flags).to.have.length(1);
      expect(order.flags[0].kind).to.equal("amount_mismatch");
      expect(order.flags[0].details).to.include({ expectedMinor: 1_100, paidMinor: 1_000 });
      expect(await notifications(buyer.id, "payment_flagged")).to.equal(1);
      expect(await notifications(buyer.id, "order_paid")).to.equal(0);
    });

    it("closes the Stripe session when the reservation expires, so the buyer can no longer pay", async function () {
      const farm = await h.farm({ priceMinor: 700, stock: 5 });
      const { sessionId, body } = await h.checkout([{ productId: farm.productId, quantity: 2 }]);
      const job = startReservationExpiryJob({
        fork: () => h.api.orm.em.fork(),
        notifications: h.api.live.notifications,
        paymentInFlight: paymentInFlightGuardFor(h.api.config),
        intervalMs: 60_000,
        log: pino({ level: "silent" }),
        onStockChanged: () => Promise.resolve(),
        onCardOrdersExpired: (em, checkoutIds) => card.sessions.closeUnpayable(em, checkoutIds),
        schedule: false,
        now: () => new Date(Date.now() + 24 * 3_600_000),
      });
      expect(await job.runOnce()).to.be.greaterThan(0);
      await job.stop();
      expect((await h.stripe.checkout.sessions.retrieve(sessionId)).status).to.equal("expired");
      expect(() => h.local.paySession(sessionId, { number: CARD_OK })).to.throw(/expired|open/i);
      await h.settle();
      const order = await h.order(body.orders[0].id);
      expect(order.status).to.equal("expired");
      expect(order.flags).to.deep.equal([]);
      expect(await stockOf(h.api.database.pool, farm.productId)).to.equal(5);
    });

    it("gives the buyer of an unpaid card order its payment page again, while Stripe keeps it open", async function () {
      const farm = await h.farm({ priceMinor: 350, stock: 5 });
      const { sessionId, body, buyer } = await h.checkout([{ productId: farm.productId, quantity: 1 }]);
      const orderId = body.orders[0].id;
      const page = await h.call(`/api/orders/${orderId}/payment-page`, buyer.bearer);
      expect(page.status).to.equal(200);
      expect(page.headers.get("cache-control")).to.equal("no-store");
      expect(((await page.json()) as { url: string }).url).to.equal(body.card.redirectUrl);

      const stranger = await h.actor(["buyer"]);
      expect((await h.call(`/api/orders/${orderId}/payment-page`, stranger.bearer)).status).to.equal(404);
      expect((await h.call(`/api/orders/${orderId}/payment-page`, undefined)).status).to.equal(401);

      h.local.paySession(sessionId, { number: CARD_OK });
      await h.settle();
      const after = await h.call(`/api/orders/${orderId}/payment-page`, buyer.bearer);
      expect(after.status).to.equal(409);
      expect(((await after.json()) as { error: { code: string } }).error.code).to.equal("order_state_conflict");
    });

    it("tells the buyer the payment page is closed once Stripe closed it", async function () {
      const farm = await h.farm({ priceMinor: 360, stock: 5 });
      const { sessionId, body, buyer } = await h.checkout([{ productId: farm.productId, quantity: 1 }]);
      // The session's expiry webhook is held back, so the order still awaits payment when the buyer asks.
      h.local.pauseWebhooks();
      try {
        await h.stripe.checkout.sessions.expire(sessionId);
        const closed = await h.call(`/api/orders/${body.orders[0].id}/payment-page`, buyer.bearer);
        expect(closed.status).to.equal(409);
        expect(((await closed.json()) as { error: { code: string } }).error.code).to.equal("payment_page_closed");
      } finally {
        await h.local.releaseWebhooks(1);
      }
      await h.settle();
    });

    it("closes a checkout's session when its last unpaid order is cancelled, not before", async function () {
      const first = await h.farm({ priceMinor: 500, stock: 5 });
      const second = await h.farm({ priceMinor: 600, stock: 5 });
      const { sessionId, body, buyer } = await h.checkout([
        { productId: first.productId, quantity: 1 },
        { productId: second.productId, quantity: 1 },
      ]);
      expect(body.orders).to.have.length(2);
      const cancel = (orderId: string) => h.call(`/api/orders/${orderId}/cancel`, buyer.bearer, "POST");
      expect((await cancel(body.orders[0].id)).status).to.equal(200);
      expect((await h.stripe.checkout.sessions.retrieve(sessionId)).status).to.equal("open");
      expect((await cancel(body.orders[1].id)).status).to.equal(200);
      expect((await h.stripe.checkout.sessions.retrieve(sessionId)).status).to.equal("expired");
      await h.settle();
      for (const { id } of body.orders) expect((await h.order(id)).status).to.equal("cancelled");
    });

    it("flags a payment that came after the reservation expired and refunds it", async function () {
      const farm = await h.farm({ priceMinor: 900, stock: 5 });
      const { sessionId, body, buyer } = await h.checkout([{ productId: farm.productId, quantity: 1 }]);
      // Stripe cannot be reached to close the session, so the buyer still pays through it: a late payment.
      h.local.failNextRequest({ status: 500, pathPrefix: `/v1/checkout/sessions/${sessionId}/expire` });
      expect((await h.call(`/api/orders/${body.orders[0].id}/cancel`, buyer.bearer, "POST")).status).to.equal(200);
      expect((await h.stripe.checkout.sessions.retrieve(sessionId)).status).to.equal("open");
      h.local.paySession(sessionId, { number: CARD_OK });
      await h.settle();
      const order = await h.order(body.orders[0].id);
      expect(order.status).to.equal("cancelled");
      expect(order.flags.map((flag) => flag.kind)).to.deep.equal(["late_payment"]);
      const { rows } = await h.api.database.pool.query<{ stripe_refund_id: string; amount_minor: string }>(
        "SELECT stripe_refund_id, amount_minor FROM refunds WHERE order_id = $1",
        [order.id],
      );
      expect(rows).to.have.length(1);
      expect(Number(rows[0].amount_minor)).to.equal(900);
      const refund = await h.stripe.refunds.retrieve(rows[0].stripe_refund_id);
      expect(refund.amount).to.equal(900);
    });
  });

  describe("refunds", function () {
    it("refunds part, then the rest, never more than is left; the order ends refunded", async function () {
      const { orderId, buyer } = await paidOrder(1_000, 2);
      const admin = await h.actor(["admin"]);
      const partial = await refundAs(admin.bearer, orderId, {
        amountMinor: 500,
        reason: "one crate arrived damaged",
      });
      expect(partial.status).to.equal(201);
      const partialBody = (await partial.json()) as { refundId: string; stripeRefundId: string };
      expect((await h.stripe.refunds.retrieve(partialBody.stripeRefundId)).amount).to.equal(500);
      expect((await h.order(orderId)).status).to.equal("paid");

      const tooMuch = await refundAs(admin.bearer, orderId, {
        amountMinor: 1_501,
        reason: "everything",
      });
      expect(tooMuch.status).to.equal(409);
      expect(((await tooMuch.json()) as { error: { code: string } }).error.code).to.equal("refund_exceeds_remaining");

      const arbiter = await h.actor(["arbiter"]);
      const rest = await refundAs(arbiter.bearer, orderId, {
        amountMinor: 1_500,
        reason: "ruling",
      });
      expect(rest.status).to.equal(201);
      await h.settle();
      const order = await h.order(orderId);
      expect(order.status).to.equal("refunded");
      expect(order.timeline.filter((event) => event.kind === "refunded")).to.have.length(2);
      expect(await count("refunds WHERE order_id = $1", [orderId])).to.equal(2);
      expect(await notifications(buyer.id, "refund")).to.equal(2);
      const { rows } = await h.api.database.pool.query<{ actor_id: string; reason: string }>(
        "SELECT actor_id, reason FROM refunds WHERE order_id = $1 ORDER BY created_at",
        [orderId],
      );
      expect(rows).to.deep.equal([
        { actor_id: admin.id, reason: "one crate arrived damaged" },
        { actor_id: arbiter.id, reason: "ruling" },
      ]);
    });

    it("gives back what a refund took when the bank fails it, so the money can be refunded again", async function () {
      const { orderId, buyer, farm, body } = await paidOrder(1_000, 2);
      await h.call(`/api/orders/${orderId}/ship`, farm.ownerBearer, "POST");
      await h.call(`/api/orders/${orderId}/confirm`, buyer.bearer, "POST");
      const share = 2_000 - body.orders[0].feeMinor;
      const payable = async () =>
        (
          await h.api.database.pool.query<{ reversed_minor: string; status: string }>(
            "SELECT reversed_minor, status FROM farm_payables WHERE order_id = $1",
            [orderId],
          )
        ).rows[0];
      expect(await payable()).to.deep.equal({ reversed_minor: "0", status: "accrued" });

      const admin = await h.actor(["admin"]);
      const refunded = await refundAs(admin.bearer, orderId, {
        amountMinor: 2_000,
        reason: "never arrived",
      });
      expect(refunded.status).to.equal(201);
      const { stripeRefundId } = (await refunded.json()) as { stripeRefundId: string };
      await h.settle();
      expect((await h.order(orderId)).status).to.equal("refunded");
      expect(await payable()).to.deep.equal({ reversed_minor: String(share), status: "reversed" });

      h.local.failRefund(stripeRefundId);
      await h.settle();
      const order = await h.order(orderId);
      expect(order.status).to.equal("delivered");
      expect(order.flags.map((flag) => flag.kind)).to.deep.equal(["refund_failed"]);
      expect(order.timeline.filter((event) => event.kind === "refund_failed")).to.have.length(1);
      expect(await payable()).to.deep.equal({ reversed_minor: "0", status: "accrued" });
      expect(await notifications(buyer.id, "refund_failed")).to.equal(1);
      expect(await count("refunds WHERE stripe_refund_id = $1 AND status = 'failed'", [stripeRefundId])).to.equal(1);

      // The same failure reported again changes nothing more.
      const [failedEvent] = (await h.stripe.events.list({ type: "refund.failed", limit: 1 })).data;
      await h.local.redeliverEvent(failedEvent.id);
      await h.settle();
      expect((await h.order(orderId)).flags).to.have.length(1);
      expect(await notifications(buyer.id, "refund_failed")).to.equal(1);

      const again = await refundAs(admin.bearer, orderId, {
        amountMinor: 2_000,
        reason: "never arrived (second try)",
      });
      expect(again.status).to.equal(201);
      await h.settle();
      expect((await h.order(orderId)).status).to.equal("refunded");
      expect(await payable()).to.deep.equal({ reversed_minor: String(share), status: "reversed" });
    });

    it("refunds a decision once, whoever asks again under its key, and records the dispute it carries out", async function () {
      const { orderId } = await paidOrder(700, 1);
      const disputeId = randomUUID();
      const decision = {
        orderId,
        amountMinor: 200,
        reason: "arbiter ruling",
        actorId: null,
        disputeId,
        key: `ruling:${disputeId}`,
      };
      const result = await card.refunds.refund(decision, { tellIfRefused: true });
      expect(result.stripeRefundId).to.match(/^re_/);
      expect(result.status).to.equal("succeeded");
      expect(await card.refunds.refund(decision, { tellIfRefused: true })).to.deep.equal(result);
      await h.settle();
      const { rows } = await h.api.database.pool.query<{ id: string; dispute_id: string; status: string }>(
        "SELECT id, dispute_id, status FROM refunds WHERE order_id = $1",
        [orderId],
      );
      expect(rows).to.deep.equal([{ id: result.refundId, dispute_id: disputeId, status: "succeeded" }]);
      expect((await h.stripe.refunds.list({ payment_intent: await paymentIntentOf(orderId) })).data).to.have.length(1);
      // The same key for another amount is another decision wearing this one's name.
      const reused = await card.refunds
        .refund({ ...decision, amountMinor: 300 }, { tellIfRefused: true })
        .catch((error: unknown) => error);
      expect(reused).to.be.instanceOf(RefundKeyReusedError);
    });

    it("flags a chargeback and records a lost one as money returned", async function () {
      const { orderId, buyer, farm, sessionId } = await paidOrder(1_200, 1);
      const session = await h.stripe.checkout.sessions.retrieve(sessionId);
      const dispute = h.local.openDispute(session.payment_intent as string, { reason: "fraudulent" });
      await h.settle();
      let order = await h.order(orderId);
      expect(order.flags.map((flag) => flag.kind)).to.deep.equal(["chargeback"]);
      expect(order.timeline.map((event) => event.kind)).to.include("chargeback_opened");
      expect(await notifications(buyer.id, "dispute_opened")).to.equal(1);
      expect(await notifications(farm.ownerId, "dispute_opened")).to.equal(1);

      h.local.closeDispute(dispute.id, "lost");
      await h.settle();
      order = await h.order(orderId);
      expect(order.status).to.equal("refunded");
      expect(order.flags[0].resolvedAt).to.not.equal(null);
      expect(order.timeline.filter((event) => event.kind === "chargeback_closed")).to.have.length(1);
      expect(
        await count("refunds WHERE order_id = $1 AND status = 'lost' AND amount_minor = 1200", [orderId]),
      ).to.equal(1);
      expect(await notifications(farm.ownerId, "dispute_resolved")).to.equal(1);
    });

    it("shows a won chargeback on the timeline and keeps the order paid", async function () {
      const { orderId, sessionId } = await paidOrder(1_100, 1);
      const session = await h.stripe.checkout.sessions.retrieve(sessionId);
      const dispute = h.local.openDispute(session.payment_intent as string);
      await h.settle();
      h.local.closeDispute(dispute.id, "won");
      await h.settle();
      const order = await h.order(orderId);
      expect(order.status).to.equal("paid");
      expect(order.timeline.find((event) => event.kind === "chargeback_closed")?.data).to.include({ outcome: "won" });
      expect(await count("refunds WHERE order_id = $1", [orderId])).to.equal(0);
    });
  });

  describe("delivery and payouts", function () {
    async function linkAccount(farm: { id: string; ownerBearer: string }): Promise<string> {
      const response = await h.call(`/api/farms/${farm.id}/stripe-account`, farm.ownerBearer, "POST");
      const body = (await response.json()) as { accountId: string; onboardingUrl: string; payoutsEnabled: boolean };
      expect(response.status, JSON.stringify(body)).to.equal(200);
      expect(body.accountId).to.match(/^acct_/);
      expect(body.onboardingUrl).to.be.a("string");
      expect(body.payoutsEnabled).to.equal(false);
      return body.accountId;
    }

    it("ships, confirms, and transfers the farm's share to its connected account", async function () {
      const { orderId, buyer, farm, body } = await paidOrder(2_000, 1);
      const accountId = await linkAccount(farm);
      h.local.completeAccountOnboarding(accountId);
      await h.settle();
      const shipped = await h.call(`/api/orders/${orderId}/ship`, farm.ownerBearer, "POST");
      expect(shipped.status).to.equal(200);
      expect(((await shipped.json()) as { status: string }).status).to.equal("shipped");
      expect(await notifications(buyer.id, "shipped")).to.equal(1);
      const again = await h.call(`/api/orders/${orderId}/ship`, farm.ownerBearer, "POST");
      expect(again.status).to.equal(409);

      const confirmed = await h.call(`/api/orders/${orderId}/confirm`, buyer.bearer, "POST");
      expect(confirmed.status).to.equal(200);
      const order = await h.order(orderId);
      expect(order.status).to.equal("delivered");
      expect(order.timeline.map((event) => event.kind)).to.include.members(["shipped", "delivered", "transferred"]);
      expect(await notifications(farm.ownerId, "delivered")).to.equal(1);

      const payables = await h.call("/api/farmer/payables", farm.ownerBearer);
      const view = (await payables.json()) as {
        payables: { status: string; amountMinor: number; stripeTransferId: string }[];
        balance: { transferredMinor: number }[];
      };
      const share = 2_000 - body.orders[0].feeMinor;
      expect(view.payables).to.have.length(1);
      expect(view.payables[0]).to.include({ status: "transferred", amountMinor: share });
      expect(view.balance[0].transferredMinor).to.equal(share);
      const transfer = await h.stripe.transfers.retrieve(view.payables[0].stripeTransferId);
      expect(transfer.amount).to.equal(share);
      expect(transfer.destination).to.equal(accountId);
      expect(transfer.transfer_group).to.equal(body.checkoutId);

      // A refund after the transfer takes the farm's share back from it.
      const admin = await h.actor(["admin"]);
      const refund = await refundAs(admin.bearer, orderId, {
        amountMinor: 1_000,
        reason: "half spoiled",
      });
      expect(refund.status).to.equal(201);
      const reversals = await h.stripe.transfers.listReversals(transfer.id);
      expect(reversals.data.map((reversal) => reversal.amount)).to.deep.equal([Math.floor((1_000 * share) / 2_000)]);
    });

    it("accrues a payable for a farm without a ready account, and pays it once the account is ready", async function () {
      const { orderId, buyer, farm, body } = await paidOrder(1_000, 3);
      await h.call(`/api/orders/${orderId}/ship`, farm.ownerBearer, "POST");
      await h.call(`/api/orders/${orderId}/confirm`, buyer.bearer, "POST");
      const share = 3_000 - body.orders[0].feeMinor;
      let view = (await (await h.call("/api/farmer/payables", farm.ownerBearer)).json()) as {
        account: unknown;
        balance: { accruedMinor: number; transferredMinor: number }[];
        payables: { status: string }[];
      };
      expect(view.account).to.equal(null);
      expect(view.balance).to.deep.equal([{ currency: "USD", accruedMinor: share, transferredMinor: 0, owedMinor: 0 }]);

      const accountId = await linkAccount(farm);
      h.local.completeAccountOnboarding(accountId);
      await h.settle();
      view = (await (await h.call("/api/farmer/payables", farm.ownerBearer)).json()) as typeof view;
      expect(view.payables.map((payable) => payable.status)).to.deep.equal(["transferred"]);
      expect(view.balance).to.deep.equal([{ currency: "USD", accruedMinor: 0, transferredMinor: share, owedMinor: 0 }]);

      const summary = (await (await h.call("/api/farmer/sales-summary", farm.ownerBearer)).json()) as {
        days: { status: string; orders: number; totalMinor: number }[];
      };
      expect(summary.days).to.have.length(1);
      expect(summary.days[0]).to.include({ status: "delivered", orders: 1, totalMinor: 3_000 });
    });

    it("auto-confirms a shipped card order once the escrow's confirm window has passed", async function () {
      const { orderId, farm } = await paidOrder(500, 1);
      await h.call(`/api/orders/${orderId}/ship`, farm.ownerBearer, "POST");
      const job = deadlineJob();
      expect((await job.runOnce()).confirmed).to.equal(0);
      // The escrow's confirm window is one hour (indexer.escrow_terms): ship it an hour and a minute ago.
      await h.api.database.pool.query("UPDATE orders SET shipped_at = now() - interval '61 minutes' WHERE id = $1", [
        orderId,
      ]);
      const [first, second] = await Promise.all([job.runOnce(), job.runOnce()]);
      expect(first.confirmed + second.confirmed).to.be.at.least(1);
      const order = await h.order(orderId);
      expect(order.status).to.equal("delivered");
      expect(order.timeline.filter((event) => event.kind === "delivered")).to.have.length(1);
      expect(order.timeline.find((event) => event.kind === "delivered")?.data).to.deep.equal({ autoConfirmed: true });
      await job.stop();
    });
  });

  describe("routes", function () {
    it("answer 401, 403, 404, 409 and 400 as they should", async function () {
      const { orderId, farm, buyer } = await paidOrder(400, 1);
      const other = await h.farm({ priceMinor: 100, stock: 1 });
      const stranger = await h.actor(["buyer"]);
      const admin = await h.actor(["admin"]);
      const missing = randomUUID();
      const status = async (path: string, bearer: string | undefined, method = "POST", body?: unknown) =>
        (await h.call(path, bearer, method, body, { "Idempotency-Key": randomUUID() })).status;

      expect(await status(`/api/orders/${orderId}/ship`, undefined)).to.equal(401);
      expect(await status(`/api/orders/${orderId}/ship`, buyer.bearer)).to.equal(403);
      expect(await status(`/api/orders/${orderId}/ship`, other.ownerBearer)).to.equal(404);
      expect(await status(`/api/orders/${missing}/ship`, farm.ownerBearer)).to.equal(404);
      expect(await status("/api/orders/not-a-uuid/ship", farm.ownerBearer)).to.equal(400);
      expect(await status(`/api/orders/${orderId}/confirm`, buyer.bearer)).to.equal(409);
      expect(await status(`/api/orders/${orderId}/confirm`, undefined)).to.equal(401);
      expect(await status(`/api/orders/${orderId}/confirm`, stranger.bearer)).to.equal(404);

      const refunds = `/api/orders/${orderId}/refunds`;
      expect(await status(refunds, undefined, "POST", { amountMinor: 1, reason: "x" })).to.equal(401);
      expect(await status(refunds, buyer.bearer, "POST", { amountMinor: 1, reason: "x" })).to.equal(403);
      expect(await status(refunds, admin.bearer, "POST", { amountMinor: 0, reason: "x" })).to.equal(400);
      expect(await status(refunds, admin.bearer, "POST", { amountMinor: 1 })).to.equal(400);
      expect(
        await status(`/api/orders/${missing}/refunds`, admin.bearer, "POST", { amountMinor: 1, reason: "x" }),
      ).to.equal(404);
      const keyless = await h.call(refunds, admin.bearer, "POST", { amountMinor: 1, reason: "x" });
      expect(keyless.status).to.equal(400);
      expect(JSON.stringify(await keyless.json())).to.include("headers.idempotency-key");

      expect(await status(`/api/farms/${farm.id}/stripe-account`, undefined)).to.equal(401);
      expect(await status(`/api/farms/${farm.id}/stripe-account`, buyer.bearer)).to.equal(403);
      expect(await status(`/api/farms/${farm.id}/stripe-account`, other.ownerBearer)).to.equal(404);
      expect(await status("/api/farms/nope/stripe-account", other.ownerBearer)).to.equal(400);
      expect(await status("/api/farmer/payables", undefined, "GET")).to.equal(401);
      expect(await status("/api/farmer/payables", buyer.bearer, "GET")).to.equal(403);
      expect(await status("/api/farmer/sales-summary", undefined, "GET")).to.equal(401);
      expect(await status("/api/farmer/sales-summary", buyer.bearer, "GET")).to.equal(403);
      expect(await status("/api/admin/reconciliation", undefined, "GET")).to.equal(401);
      expect(await status("/api/admin/reconciliation", farm.ownerBearer, "GET")).to.equal(403);
      expect(await status("/api/admin/reconciliation?limit=0", admin.bearer, "GET")).to.equal(400);

      // An escrow order follows the chain: the API refuses to ship, confirm or refund it.
      await h.api.database.pool.query(
        `UPDATE orders SET payment_method = 'escrow', escrow_ref = $2, escrow_seller = $3, escrow_amount = '400'
          WHERE id = $1`,
        [orderId, `0x${"ab".repeat(32)}`, `0x${"cd".repeat(20)}`],
      );
      const chain = await h.call(`/api/orders/${orderId}/ship`, farm.ownerBearer, "POST");
      expect(chain.status).to.equal(409);
      expect(((await chain.json()) as { error: { code: string } }).error.code).to.equal("order_follows_chain");
      expect(await status(refunds, admin.bearer, "POST", { amountMinor: 1, reason: "x" })).to.equal(409);
    });

    it("refuse a refund at once to staff whose role was removed or whose account was deleted since their token", async function () {
      const { orderId } = await paidOrder(400, 1);
      const stripeRefunds = async () => (await h.stripe.refunds.list().autoPagingToArray({ limit: 10_000 })).length;
      const refundsBefore = await stripeRefunds();
      const [demoted, deleted] = [await h.actor(["admin"]), await h.actor(["arbiter"])];
      await h.api.database.pool.query("UPDATE users SET roles = '{buyer}' WHERE id = $1", [demoted.id]);
      await h.api.database.pool.query("UPDATE users SET deleted_at = now() WHERE id = $1", [deleted.id]);
      const refund = (bearer: string) => refundAs(bearer, orderId, { amountMinor: 400, reason: "goodwill" });
      expect((await refund(demoted.bearer)).status).to.equal(403);
      expect((await refund(deleted.bearer)).status).to.equal(401);
      expect(await count("refunds WHERE order_id = $1", [orderId])).to.equal(0);
      expect(await stripeRefunds()).to.equal(refundsBefore);
      expect((await h.order(orderId)).status).to.equal("paid");
    });
  });

  describe("faults and reconciliation", function () {
    it("applies every event of a burst exactly once when an API process stops in the middle of it", async function () {
      const from = await nextSecond();
      const farm = await h.farm({ priceMinor: 100, stock: 1_000 });
      const checkouts = [];
      for (let i = 0; i < 12; i += 1) checkouts.push(await h.checkout([{ productId: farm.productId, quantity: 1 }]));
      h.local.pauseWebhooks();
      for (const checkout of checkouts) h.local.paySession(checkout.sessionId, { number: CARD_OK });

      // A second API process of the same deployment (main.ts in a process of its own) gets every event too, and is
      // killed in the middle of the burst: its in-flight deliveries are cut, its retries find nobody listening; the
      // first process and reconciliation must still apply every event exactly once.
      const second = await startApiProcess({
        ...cardApiEnv(h.local),
        API_PORT: String(await freePort()),
        DATABASE_URL: h.api.config.databaseUrl,
        DATABASE_POOL_MAX: "4",
        REDIS_URL: "redis://127.0.0.1:6379",
        CHAIN_RPC_URL: "http://127.0.0.1:8545",
        LOG_LEVEL: "warn",
      });
      h.local.addWebhookEndpoint({ url: `${second.url}/api/stripe/webhook`, secret: CARD_WEBHOOK_SECRET });
      const released = h.local.releaseWebhooks(11);
      await new Promise((resolve) => setTimeout(resolve, 20));
      // Each wait is bounded on its own, so a hang names the step that hung rather than timing the test out.
      await within(second.kill(), 20_000, "killing the second API process");
      await within(released, 20_000, "releasing the held webhooks");
      await within(h.settle(), 25_000, "settling every delivery");

      const result = await reconcileStripe(
        h.api.orm.em.fork(),
        { stripe: card.stripe, webhooks: card.events, refunds: card.refunds },
        { from, to: new Date(Date.now() + 60_000) },
      );
      expect(result.differences, JSON.stringify(result.differences)).to.deep.equal([]);
      for (const checkout of checkouts) {
        const order = await h.order(checkout.body.orders[0].id);
        expect(order.status).to.equal("paid");
        expect(order.timeline.filter((event) => event.kind === "paid")).to.have.length(1);
        expect(await notifications(checkout.buyer.id, "order_paid")).to.equal(1);
      }
      expect(await count("stripe_events WHERE processed_at IS NULL", [])).to.equal(0);

      const admin = await h.actor(["admin"]);
      const runs = (await (await h.call("/api/admin/reconciliation", admin.bearer)).json()) as {
        runs: { id: string; differences: number }[];
      };
      expect(runs.runs[0]).to.deep.include({ id: result.id, differences: 0 });
    });

    it("applies a stored event whose processing failed when reconciliation runs", async function () {
      const from = await nextSecond();
      const farm = await h.farm({ priceMinor: 150, stock: 10 });
      const { sessionId, body } = await h.checkout([{ productId: farm.productId, quantity: 1 }]);
      // Stripe's API fails while the webhook re-reads the session, longer than Stripe keeps retrying here.
      h.local.failNextRequest({ status: 500, count: 1_000, pathPrefix: "/v1/checkout/sessions" });
      h.local.paySession(sessionId, { number: CARD_OK });
      await h.settle();
      expect((await h.order(body.orders[0].id)).status).to.equal("awaiting_payment");
      expect(await count("stripe_events WHERE processed_at IS NULL AND error IS NOT NULL", [])).to.be.above(0);
      // Stripe recovers: reconciliation applies what was stored and finds nothing left to report.
      await clearFaults();
      const after = await reconcileStripe(
        h.api.orm.em.fork(),
        { stripe: card.stripe, webhooks: card.events, refunds: card.refunds },
        { from, to: new Date(Date.now() + 60_000) },
      );
      expect(after.eventsApplied).to.be.above(0);
      expect(after.differences).to.deep.equal([]);
      expect((await h.order(body.orders[0].id)).status).to.equal("paid");
    });
  });

  /** The start of the next whole second: Stripe's `created` filters count in seconds, so earlier tests stay out. */
  async function nextSecond(): Promise<Date> {
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 5));
    return new Date(Math.floor(Date.now() / 1_000) * 1_000);
  }

  async function clearFaults(): Promise<void> {
    // Spend the remaining injected failures on a path nothing else calls.
    for (let i = 0; i < 1_000; i += 1) {
      const response = await fetch(`${h.local.url}/v1/checkout/sessions/cs_none`, {
        headers: { Authorization: "Bearer sk_test_card_harness" },
      });
      if (response.status === 404) return;
    }
  }

  describe("dispute rulings", function () {
    it("refunds the buyer's share when an arbiter rules on a card dispute; a ruling of the whole total leaves the order refunded", async function () {
      for (const [share, status] of [
        [600, "resolved"],
        [2_000, "refunded"],
      ] as const) {
        const { orderId, buyer } = await paidOrder(1_000, 2);
        const opened = await h.call(`/api/orders/${orderId}/disputes`, buyer.bearer, "POST", { reason: "crushed" });
        expect(opened.status).to.equal(201);
        const { dispute } = (await opened.json()) as { dispute: { id: string } };
        const arbiter = await h.actor(["arbiter"]);
        // The ruling holds the dispute's and the order's row locks while Stripe refunds: it must not wait on itself.
        const ruled = await h.call(`/api/disputes/${dispute.id}/ruling`, arbiter.bearer, "POST", {
          buyerShareMinor: share,
        });
        expect(ruled.status).to.equal(200);
        const { refund } = (await ruled.json()) as { refund: { stripeRefundId: string } };
        await h.settle();
        expect(await h.stripe.refunds.retrieve(refund.stripeRefundId)).to.include({
          amount: share,
          status: "succeeded",
        });
        expect((await h.order(orderId)).status).to.equal(status);
        expect(await count("refunds WHERE dispute_id = $1 AND amount_minor = $2", [dispute.id, share])).to.equal(1);
        expect(await notifications(buyer.id, "refund")).to.equal(1);
      }
    });
  });
});
