import { randomUUID } from "node:crypto";

import { expect } from "chai";
import { pino } from "pino";

import { startCardDeadlineJob } from "../../api/src/card-payments/card-deadline-job.js";
import { cardOrderMoney } from "../../api/src/card-payments/card-order-money.js";
import type { CardOrderMoney } from "../../api/src/card-payments/card-order-money.js";
import { createCardPayments } from "../../api/src/card-payments/card-payments.js";
import type { CardPayments } from "../../api/src/card-payments/card-payments.js";
import { reconcileStripe } from "../../api/src/card-payments/reconcile-stripe.js";
import { createCardDisputeTimeouts } from "../../api/src/disputes/card-dispute-timeouts.js";
import { marketplaceEscrowConstants } from "../../protocol/generated/contracts.js";
import { startApiProcess } from "../support/api-process.js";
import { cardApiEnv, startCardHarness } from "../support/card-payment-harness.js";
import type { CardHarness } from "../support/card-payment-harness.js";
import { freePort } from "../support/free-port.js";
import { within } from "../support/within.js";

const CARD_OK = "4242424242424242";

/**
 * Issue #15's card money paths, attacked as the issue found them: a refund is issued at most once whatever fails after
 * Stripe accepted it, no card money stays with the platform without an owner, and card orders keep the escrow's
 * deadlines. Each ends with Stripe and the database agreeing (reconciliation finds no difference).
 */
describe("API card money safety", function () {
  this.timeout(90_000);
  let h: CardHarness;
  let card: CardPayments;
  /** Reconciliation covers what happened since the harness started. */
  let since: Date;

  before(async function () {
    since = new Date(Date.now() - 2_000);
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

  async function rows<T extends Record<string, unknown>>(sql: string, params: unknown[]): Promise<T[]> {
    return (await h.api.database.pool.query<T>(sql, params)).rows;
  }

  /** A farm, a paid card checkout of one order from it, settled. */
  async function paidOrder(priceMinor: number, quantity = 1) {
    const farm = await h.farm({ priceMinor, stock: 50 });
    const checkout = await h.checkout([{ productId: farm.productId, quantity }]);
    expect(h.local.paySession(checkout.sessionId, { number: CARD_OK }).status).to.equal("succeeded");
    await h.settle();
    return { farm, ...checkout, orderId: checkout.body.orders[0].id, feeMinor: checkout.body.orders[0].feeMinor };
  }

  /** Links the farm's connected account and completes its onboarding, so payables are transferred. */
  async function readyAccount(farm: { id: string; ownerBearer: string }): Promise<string> {
    const response = await h.call(`/api/farms/${farm.id}/stripe-account`, farm.ownerBearer, "POST");
    const { accountId } = (await response.json()) as { accountId: string };
    h.local.completeAccountOnboarding(accountId);
    await h.settle();
    return accountId;
  }

  /** A paid order of a farm with a ready account, shipped and confirmed: the farm's share is transferred. */
  async function transferredOrder(priceMinor: number, farm?: Awaited<ReturnType<typeof paidOrder>>["farm"]) {
    const paid = farm === undefined ? await paidOrder(priceMinor) : await paidOrderOf(farm);
    if (farm === undefined) await readyAccount(paid.farm);
    expect((await h.call(`/api/orders/${paid.orderId}/ship`, paid.farm.ownerBearer, "POST")).status).to.equal(200);
    expect((await h.call(`/api/orders/${paid.orderId}/confirm`, paid.buyer.bearer, "POST")).status).to.equal(200);
    const [payable] = await rows<{ status: string; stripe_transfer_id: string }>(
      "SELECT status, stripe_transfer_id FROM farm_payables WHERE order_id = $1",
      [paid.orderId],
    );
    expect(payable.status).to.equal("transferred");
    return { ...paid, transferId: payable.stripe_transfer_id };
  }

  /** Another paid order from an existing farm. */
  async function paidOrderOf(farm: { id: string; ownerId: string; ownerBearer: string; productId: string }) {
    const checkout = await h.checkout([{ productId: farm.productId, quantity: 1 }]);
    expect(h.local.paySession(checkout.sessionId, { number: CARD_OK }).status).to.equal("succeeded");
    await h.settle();
    return { farm, ...checkout, orderId: checkout.body.orders[0].id, feeMinor: checkout.body.orders[0].feeMinor };
  }

  const refundAs = (bearer: string, orderId: string, amountMinor: number, key: string) =>
    h.call(
      `/api/orders/${orderId}/refunds`,
      bearer,
      "POST",
      { amountMinor, reason: "damaged" },
      {
        "Idempotency-Key": key,
      },
    );

  async function paymentIntentOf(orderId: string): Promise<string> {
    const [row] = await rows<{ id: string }>(
      "SELECT c.stripe_payment_intent_id AS id FROM orders o JOIN checkouts c ON c.id = o.checkout_id WHERE o.id = $1",
      [orderId],
    );
    return row.id;
  }

  /** Stripe's refunds of the order, and the database's (status and amount), side by side. */
  async function refundsOf(orderId: string) {
    const stripe = (await h.stripe.refunds.list({ payment_intent: await paymentIntentOf(orderId), limit: 100 })).data;
    const stored = await rows<{ id: string; status: string; amount_minor: string; stripe_refund_id: string | null }>(
      "SELECT id, status, amount_minor, stripe_refund_id FROM refunds WHERE order_id = $1 ORDER BY created_at",
      [orderId],
    );
    return { stripe, stored };
  }

  async function reconcile() {
    const result = await reconcileStripe(
      h.api.orm.em.fork(),
      { stripe: card.stripe, webhooks: card.events, refunds: card.refunds },
      { from: since, to: new Date(Date.now() + 60_000) },
    );
    return result.differences;
  }

  /** What the farm keeps of an order: its share of the total less its share of what went back to the buyer. */
  const farmAfter = (totalMinor: number, feeMinor: number, refundedMinor: number) =>
    totalMinor - feeMinor - Math.floor((refundedMinor * (totalMinor - feeMinor)) / totalMinor);

  async function moneyOf(orderId: string): Promise<CardOrderMoney> {
    return (await cardOrderMoney(h.api.orm.em.fork(), [orderId])).get(orderId)!;
  }

  function deadlineJob() {
    return startCardDeadlineJob({
      delivery: card.delivery,
      disputes: createCardDisputeTimeouts({
        notifications: h.api.live.notifications,
        rulings: card.rulings,
        defaultShippedBuyerBps: marketplaceEscrowConstants.DEFAULT_SHIPPED_BUYER_BPS,
        fork: () => h.api.orm.em.fork(),
      }),
      refunds: card.refunds,
      payouts: card.payouts,
      terms: card.terms,
      fork: () => h.api.orm.em.fork(),
      intervalMs: 60_000,
      log: pino({ level: "silent" }),
      schedule: false,
    });
  }

  describe("a refund is issued at most once", function () {
    it("keeps a refund whose farm share cannot be reversed, as a farm debt and an admin flag, and repeats give the same refund", async function () {
      const { orderId, transferId, feeMinor } = await transferredOrder(1_000);
      const share = 1_000 - feeMinor;
      h.local.failNextRequest({
        status: 400,
        code: "balance_insufficient",
        message: "Insufficient funds in the connected account's balance.",
        pathPrefix: `/v1/transfers/${transferId}/reversals`,
      });
      const admin = await h.actor(["admin"]);
      const key = randomUUID();
      const first = await refundAs(admin.bearer, orderId, 1_000, key);
      const body = (await first.json()) as { refundId: string; stripeRefundId: string; status: string };
      expect(first.status, JSON.stringify(body)).to.equal(201);
      expect(body.status).to.equal("succeeded");

      // The admin clicks again, the bank's webhook arrives: still one refund, in Stripe and here.
      const again = await refundAs(admin.bearer, orderId, 1_000, key);
      expect(again.status).to.equal(201);
      expect(((await again.json()) as { refundId: string }).refundId).to.equal(body.refundId);
      await h.settle();
      const { stripe, stored } = await refundsOf(orderId);
      expect(stripe.map((refund) => refund.amount)).to.deep.equal([1_000]);
      expect(stored).to.deep.equal([
        { id: body.refundId, status: "succeeded", amount_minor: "1000", stripe_refund_id: body.stripeRefundId },
      ]);

      const order = await h.order(orderId);
      expect(order.status).to.equal("refunded");
      const flag = order.flags.find((each) => each.kind === "farm_debt")!;
      expect(flag.details).to.include({ refundId: body.refundId, amountMinor: share, status: "owed" });
      expect(flag.details.reason).to.match(/Insufficient funds/);
      expect(flag.resolvedAt).to.equal(null);
      const [debt] = await rows<{ amount_minor: string; status: string }>(
        "SELECT amount_minor, status FROM farm_debts WHERE refund_id = $1",
        [body.refundId],
      );
      expect(debt).to.deep.equal({ amount_minor: String(share), status: "owed" });
      expect((await h.stripe.transfers.listReversals(transferId)).data).to.have.length(0);
      expect(await moneyOf(orderId)).to.include({ buyerMinor: 1_000, farmMinor: 0, heldMinor: 0 });
      expect(await reconcile()).to.deep.equal([]);
    });

    it("nets what a farm owes from its next payout, and clears the flag once it is paid", async function () {
      const first = await transferredOrder(1_000);
      h.local.failNextRequest({
        status: 400,
        code: "balance_insufficient",
        pathPrefix: `/v1/transfers/${first.transferId}/reversals`,
      });
      const admin = await h.actor(["admin"]);
      expect((await refundAs(admin.bearer, first.orderId, 400, randomUUID())).status).to.equal(201);
      const owed = Math.floor((400 * (1_000 - first.feeMinor)) / 1_000);

      const next = await transferredOrder(1_000, first.farm);
      const [payable] = await rows<{ debt_netted_minor: string; stripe_transfer_id: string }>(
        "SELECT debt_netted_minor, stripe_transfer_id FROM farm_payables WHERE order_id = $1",
        [next.orderId],
      );
      expect(Number(payable.debt_netted_minor)).to.equal(owed);
      expect((await h.stripe.transfers.retrieve(payable.stripe_transfer_id)).amount).to.equal(
        1_000 - next.feeMinor - owed,
      );
      const [debt] = await rows<{ status: string; netted_minor: string }>(
        "SELECT status, netted_minor FROM farm_debts WHERE order_id = $1",
        [first.orderId],
      );
      expect(debt).to.deep.equal({ status: "settled", netted_minor: String(owed) });
      const flag = (await h.order(first.orderId)).flags.find((each) => each.kind === "farm_debt")!;
      expect(flag.resolvedAt).to.not.equal(null);
      const view = (await (await h.call("/api/farmer/payables", first.farm.ownerBearer)).json()) as {
        balance: { owedMinor: number }[];
      };
      expect(view.balance[0].owedMinor).to.equal(0);
      expect(await reconcile()).to.deep.equal([]);
    });

    it("gives the same refund when Stripe's answer was lost and the request is repeated", async function () {
      const { orderId } = await paidOrder(800);
      // The SDK tries three times (two retries); each attempt is handled and then its answer is lost. Webhooks wait,
      // so that their own reads of the refund do not use the faults up.
      h.local.pauseWebhooks();
      h.local.failNextRequest({ dropResponse: true, count: 3, pathPrefix: "/v1/refunds" });
      const admin = await h.actor(["admin"]);
      const key = randomUUID();
      const lost = await refundAs(admin.bearer, orderId, 300, key);
      const pending = (await lost.json()) as { error: { code: string; details: { refundId: string } } };
      expect(lost.status).to.equal(503);
      expect(pending.error.code).to.equal("refund_pending");
      await h.local.releaseWebhooks(5);

      const repeated = await refundAs(admin.bearer, orderId, 300, key);
      const body = (await repeated.json()) as { refundId: string; status: string };
      expect(repeated.status).to.equal(201);
      expect(body).to.include({ refundId: pending.error.details.refundId, status: "succeeded" });
      await h.settle();
      const { stripe, stored } = await refundsOf(orderId);
      expect(stripe.map((refund) => refund.amount)).to.deep.equal([300]);
      expect(stored.map((refund) => [refund.id, refund.status])).to.deep.equal([[body.refundId, "succeeded"]]);
      expect((await h.order(orderId)).timeline.filter((event) => event.kind === "refunded")).to.have.length(1);
      expect(await reconcile()).to.deep.equal([]);
    });

    it("carries out a ruling once when Stripe's answer to its refund was lost and the arbiter rules again", async function () {
      const { orderId, buyer } = await paidOrder(1_200);
      const opened = await h.call(`/api/orders/${orderId}/disputes`, buyer.bearer, "POST", { reason: "Wilted" });
      const { dispute } = (await opened.json()) as { dispute: { id: string } };
      const arbiter = await h.actor(["arbiter"]);
      h.local.pauseWebhooks();
      h.local.failNextRequest({ dropResponse: true, count: 3, pathPrefix: "/v1/refunds" });
      const rule = () => h.call(`/api/disputes/${dispute.id}/ruling`, arbiter.bearer, "POST", { buyerShareMinor: 700 });
      const first = await rule();
      const ruled = (await first.json()) as {
        dispute: { status: string };
        refund: { refundId: string; status: string };
      };
      expect(first.status).to.equal(200);
      expect(ruled.dispute.status).to.equal("ruled");
      expect(ruled.refund.status).to.equal("requested");
      await h.local.releaseWebhooks(7);
      await h.settle();

      const again = await rule();
      const repeated = (await again.json()) as { refund: { refundId: string; status: string } };
      expect(again.status).to.equal(200);
      expect(repeated.refund).to.include({ refundId: ruled.refund.refundId, status: "succeeded" });
      const { stripe, stored } = await refundsOf(orderId);
      expect(stripe.map((refund) => refund.amount)).to.deep.equal([700]);
      expect(stored.map((refund) => [refund.id, refund.status])).to.deep.equal([[ruled.refund.refundId, "succeeded"]]);
      expect(await reconcile()).to.deep.equal([]);
    });

    it("records a refund Stripe made for an API process killed before it could commit: by the webhook, or reconciliation", async function () {
      const { orderId } = await paidOrder(900);
      const second = await startApiProcess({
        ...cardApiEnv(h.local),
        API_PORT: String(await freePort()),
        DATABASE_URL: h.api.config.databaseUrl,
        DATABASE_POOL_MAX: "2",
        CHAIN_RPC_URL: "http://127.0.0.1:8545",
        LOG_LEVEL: "warn",
      });
      const admin = await second.accessTokens.issue({ id: (await h.actor(["admin"])).id, roles: ["admin"] });
      // Stripe makes the refund; its answer is held until the process that asked is dead. No webhook comes either.
      h.local.pauseWebhooks();
      h.local.holdRequests({ method: "POST", pathPrefix: "/v1/refunds", afterHandling: true });
      const asked = second
        .request(`/api/orders/${orderId}/refunds`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${admin.token}`,
            "Content-Type": "application/json",
            "Idempotency-Key": randomUUID(),
          },
          body: JSON.stringify({ amountMinor: 900, reason: "never arrived" }),
        })
        .catch((error: unknown) => error);
      await within(
        (async () => {
          while (h.local.heldRequestCount() === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        })(),
        20_000,
        "waiting for the refund to reach Stripe",
      );
      await within(second.kill(), 20_000, "killing the API process");
      expect(await asked).to.be.instanceOf(Error);
      h.local.releaseRequests();

      const requested = await refundsOf(orderId);
      expect(requested.stripe).to.have.length(1);
      expect(requested.stored.map((refund) => refund.status)).to.deep.equal(["requested"]);
      // The refund stays reserved: nobody can refund that money a second time meanwhile.
      const another = await refundAs((await h.actor(["admin"])).bearer, orderId, 900, randomUUID());
      expect(another.status).to.equal(409);

      // Reconciliation issues it again under its key: Stripe answers with the refund it made.
      expect(await reconcile()).to.deep.equal([]);
      await h.local.releaseWebhooks(3);
      await h.settle();
      const { stripe, stored } = await refundsOf(orderId);
      expect(stripe.map((refund) => refund.amount)).to.deep.equal([900]);
      expect(stored.map((refund) => [refund.status, refund.stripe_refund_id])).to.deep.equal([
        ["succeeded", stripe[0].id],
      ]);
      const order = await h.order(orderId);
      expect(order.status).to.equal("refunded");
      expect(order.timeline.filter((event) => event.kind === "refunded")).to.have.length(1);
    });

    it("records a refund made in Stripe's dashboard once, through the webhook, even when the farm's reversal fails", async function () {
      const { orderId, transferId, feeMinor } = await transferredOrder(600);
      h.local.failNextRequest({ status: 400, code: "balance_insufficient", pathPrefix: `/v1/transfers/${transferId}` });
      const made = await h.stripe.refunds.create({ payment_intent: await paymentIntentOf(orderId), amount: 600 });
      await h.settle();
      const { stored } = await refundsOf(orderId);
      expect(stored.map((refund) => [refund.status, refund.stripe_refund_id])).to.deep.equal([["succeeded", made.id]]);
      const [debt] = await rows<{ amount_minor: string; status: string }>(
        "SELECT amount_minor, status FROM farm_debts WHERE order_id = $1",
        [orderId],
      );
      expect(debt).to.deep.equal({ amount_minor: String(600 - feeMinor), status: "owed" });
      expect((await h.order(orderId)).status).to.equal("refunded");
      expect(await reconcile()).to.deep.equal([]);
    });
  });

  describe("no card money without an owner", function () {
    it("pays the farm its part, less the fee on that part, when a dispute is ruled before delivery", async function () {
      for (const shipped of [false, true]) {
        const { orderId, farm, buyer, feeMinor } = await paidOrder(2_000);
        await readyAccount(farm);
        if (shipped) await h.call(`/api/orders/${orderId}/ship`, farm.ownerBearer, "POST");
        const opened = await h.call(`/api/orders/${orderId}/disputes`, buyer.bearer, "POST", { reason: "Bruised" });
        const { dispute } = (await opened.json()) as { dispute: { id: string } };
        const arbiter = await h.actor(["arbiter"]);
        const ruled = await h.call(`/api/disputes/${dispute.id}/ruling`, arbiter.bearer, "POST", {
          buyerShareMinor: 800,
        });
        expect(ruled.status).to.equal(200);
        await h.settle();
        const farmGets = farmAfter(2_000, feeMinor, 800);
        const [payable] = await rows<{ status: string; amount_minor: string; reversed_minor: string; id: string }>(
          "SELECT status, amount_minor, reversed_minor, stripe_transfer_id AS id FROM farm_payables WHERE order_id = $1",
          [orderId],
        );
        expect(payable.status).to.equal("transferred");
        const transfer = await h.stripe.transfers.retrieve(payable.id);
        expect(transfer.amount).to.equal(farmGets);
        // The farm's part (1,200) less the fee on that part: what a delivery of that part would have paid it.
        expect(farmGets).to.equal(1_200 - Math.floor((1_200 * 250) / 10_000));
        expect(await moneyOf(orderId)).to.deep.equal({
          chargedMinor: 2_000,
          buyerMinor: 800,
          farmMinor: farmGets,
          platformMinor: 2_000 - 800 - farmGets,
          heldMinor: 0,
          settled: true,
        });
      }
      expect(await reconcile()).to.deep.equal([]);
    });

    it("gives a card dispute the escrow's default outcome when its deadline passes without a ruling", async function () {
      const unshipped = await paidOrder(1_000);
      const shippedOne = await paidOrder(1_000);
      await h.call(`/api/orders/${shippedOne.orderId}/ship`, shippedOne.farm.ownerBearer, "POST");
      const disputes: string[] = [];
      for (const { orderId, buyer } of [unshipped, shippedOne]) {
        const opened = await h.call(`/api/orders/${orderId}/disputes`, buyer.bearer, "POST", { reason: "Late" });
        disputes.push(((await opened.json()) as { dispute: { id: string } }).dispute.id);
      }
      const job = deadlineJob();
      expect((await job.runOnce()).disputesTimedOut).to.equal(0);
      await h.api.database.pool.query(
        "UPDATE disputes SET deadline = now() - interval '1 second' WHERE id = ANY($1::uuid[])",
        [disputes],
      );
      expect((await job.runOnce()).disputesTimedOut).to.equal(2);
      await h.settle();
      const half = Math.floor((1_000 * marketplaceEscrowConstants.DEFAULT_SHIPPED_BUYER_BPS) / 10_000);
      const read = async (id: string) =>
        (await (await h.call(`/api/disputes/${id}`, (await h.actor(["admin"])).bearer)).json()) as {
          status: string;
          ruling: { buyerShareMinor: number; ruledBy: string | null };
        };
      expect(await read(disputes[0])).to.deep.include({ status: "ruled" });
      expect((await read(disputes[0])).ruling).to.include({ buyerShareMinor: 1_000, ruledBy: null });
      expect((await read(disputes[1])).ruling).to.include({ buyerShareMinor: half, ruledBy: null });
      expect((await h.order(unshipped.orderId)).status).to.equal("refunded");
      expect((await h.order(shippedOne.orderId)).status).to.equal("resolved");
      expect(await moneyOf(shippedOne.orderId)).to.include({ buyerMinor: half, heldMinor: 0 });
      const [payable] = await rows<{ amount_minor: string; reversed_minor: string; status: string }>(
        "SELECT amount_minor, reversed_minor, status FROM farm_payables WHERE order_id = $1",
        [shippedOne.orderId],
      );
      expect(payable.status).to.equal("accrued");
      expect(Number(payable.amount_minor) - Number(payable.reversed_minor)).to.equal(
        farmAfter(1_000, shippedOne.feeMinor, half),
      );
      await job.stop();
    });

    it("gives every reachable card order state's money an owner: buyer, farm, fee or still held", async function () {
      const admin = await h.actor(["admin"]);
      const arbiter = await h.actor(["arbiter"]);
      const states: Record<string, string> = {};
      const paid = await paidOrder(1_000);
      states.paid = paid.orderId;
      const shipped = await paidOrder(1_000);
      await h.call(`/api/orders/${shipped.orderId}/ship`, shipped.farm.ownerBearer, "POST");
      states.shipped = shipped.orderId;
      const delivered = await paidOrder(1_000);
      await h.call(`/api/orders/${delivered.orderId}/ship`, delivered.farm.ownerBearer, "POST");
      await h.call(`/api/orders/${delivered.orderId}/confirm`, delivered.buyer.bearer, "POST");
      states.delivered = delivered.orderId;
      const disputed = await paidOrder(1_000);
      const opened = await h.call(`/api/orders/${disputed.orderId}/disputes`, disputed.buyer.bearer, "POST", {
        reason: "Wrong size",
      });
      states.disputed = disputed.orderId;
      const resolved = await paidOrder(1_000);
      const toRule = await h.call(`/api/orders/${resolved.orderId}/disputes`, resolved.buyer.bearer, "POST", {
        reason: "Half missing",
      });
      const { dispute } = (await toRule.json()) as { dispute: { id: string } };
      await h.call(`/api/disputes/${dispute.id}/ruling`, arbiter.bearer, "POST", { buyerShareMinor: 400 });
      states.resolved = resolved.orderId;
      const refunded = await paidOrder(1_000);
      await refundAs(admin.bearer, refunded.orderId, 1_000, randomUUID());
      states.refunded = refunded.orderId;
      const chargedBack = await paidOrder(1_000);
      const chargeback = h.local.openDispute(await paymentIntentOf(chargedBack.orderId));
      await h.settle();
      h.local.closeDispute(chargeback.id, "lost");
      states.chargedBack = chargedBack.orderId;
      await h.settle();
      expect(opened.status).to.equal(201);

      const fee = paid.feeMinor;
      const expected: Record<string, Omit<CardOrderMoney, "chargedMinor">> = {
        paid: { buyerMinor: 0, farmMinor: 0, platformMinor: 0, heldMinor: 1_000, settled: false },
        shipped: { buyerMinor: 0, farmMinor: 0, platformMinor: 0, heldMinor: 1_000, settled: false },
        delivered: { buyerMinor: 0, farmMinor: 1_000 - fee, platformMinor: fee, heldMinor: 0, settled: true },
        disputed: { buyerMinor: 0, farmMinor: 0, platformMinor: 0, heldMinor: 1_000, settled: false },
        resolved: {
          buyerMinor: 400,
          farmMinor: farmAfter(1_000, fee, 400),
          platformMinor: 600 - farmAfter(1_000, fee, 400),
          heldMinor: 0,
          settled: true,
        },
        refunded: { buyerMinor: 1_000, farmMinor: 0, platformMinor: 0, heldMinor: 0, settled: true },
        chargedBack: { buyerMinor: 1_000, farmMinor: 0, platformMinor: 0, heldMinor: 0, settled: true },
      };
      const money = await cardOrderMoney(h.api.orm.em.fork(), Object.values(states));
      for (const [state, orderId] of Object.entries(states)) {
        const each = money.get(orderId)!;
        expect(each, state).to.deep.equal({ chargedMinor: 1_000, ...expected[state] });
        expect(each.buyerMinor + each.farmMinor + each.platformMinor + each.heldMinor, state).to.equal(
          each.chargedMinor,
        );
      }
      expect(await reconcile()).to.deep.equal([]);
    });
  });

  describe("ship deadline", function () {
    it("refunds a paid card order its farm did not ship in time, tells both sides, and refuses a late ship with the deadline", async function () {
      const { orderId, farm, buyer } = await paidOrder(1_500);
      const order = await h.order(orderId);
      const shipBy = (order as unknown as { shipBy: string }).shipBy;
      // The escrow's ship window in this database's terms is one hour, from payment.
      expect(Date.parse(shipBy) - Date.parse(order.paidAt!)).to.be.within(3_600_000 - 2_000, 3_600_000 + 2_000);
      const job = deadlineJob();
      expect((await job.runOnce()).refundedUnshipped).to.equal(0);

      await h.api.database.pool.query("UPDATE orders SET ship_by = now() - interval '1 second' WHERE id = $1", [
        orderId,
      ]);
      const late = await h.call(`/api/orders/${orderId}/ship`, farm.ownerBearer, "POST");
      const refused = (await late.json()) as { error: { code: string; details: { shipBy: string } } };
      expect(late.status).to.equal(409);
      expect(refused.error.code).to.equal("ship_deadline_passed");
      expect(refused.error.details.shipBy).to.be.a("string");

      // Two API processes' jobs at once: one decides it, and Stripe is asked for one refund.
      const other = deadlineJob();
      const [first, second] = await Promise.all([job.runOnce(), other.runOnce()]);
      expect(first.refundedUnshipped + second.refundedUnshipped).to.equal(1);
      await other.stop();
      await h.settle();
      const after = await h.order(orderId);
      expect(after.status).to.equal("refunded");
      expect(after.timeline.filter((event) => event.kind === "ship_deadline_passed")).to.have.length(1);
      for (const userId of [buyer.id, farm.ownerId]) {
        const told = await rows<{ data: Record<string, unknown> }>(
          "SELECT data FROM notifications WHERE user_id = $1 AND kind = 'ship_deadline_passed'",
          [userId],
        );
        expect(told).to.have.length(1);
        expect(told[0].data).to.include({ refundMinor: 1_500, currency: "USD" });
      }
      expect((await refundsOf(orderId)).stripe.map((refund) => refund.amount)).to.deep.equal([1_500]);
      expect((await job.runOnce()).refundedUnshipped).to.equal(0);
      await job.stop();
      expect(await reconcile()).to.deep.equal([]);
    });
  });
});
