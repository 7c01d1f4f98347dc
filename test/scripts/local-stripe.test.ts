import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";
import Stripe from "stripe";

import {
  createLocalStripeServer,
  type LocalStripeServer,
} from "../../scripts/local-stripe/create-local-stripe-server.js";
import { loadLocalStripeConfig } from "../../scripts/local-stripe/local-stripe-config.js";

const WEBHOOK_SECRET = "whsec_localstripetestsecret";

/** A webhook receiver like the API's: verifies each delivery with the SDK and answers with a chosen status. */
class WebhookReceiver {
  readonly events: Stripe.Event[] = [];
  readonly rejected: string[] = [];
  /** Statuses to answer with before answering 200. */
  failures: number[] = [];
  secret = WEBHOOK_SECRET;
  private server!: Server;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const failure = this.failures.shift();
        if (failure !== undefined) {
          response.writeHead(failure).end();
          return;
        }
        try {
          const event = Stripe.webhooks.constructEvent(
            Buffer.concat(chunks),
            String(request.headers["stripe-signature"]),
            this.secret,
            300,
          );
          this.events.push(event);
          response.writeHead(200).end();
        } catch (error) {
          this.rejected.push(error instanceof Error ? error.message : String(error));
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/stripe`;
  }

  types(): string[] {
    return this.events.map((event) => event.type);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function form(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: "POST", body: new URLSearchParams(fields), redirect: "manual" });
}

function createSessionWith(client: Stripe) {
  return client.checkout.sessions.create({
    mode: "payment",
    line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: 700, product_data: { name: "Rice" } } }],
    success_url: "http://shop.test/ok",
  });
}

/** Waits for a condition another process brings about (no time limit of its own: mocha's timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe("local Stripe stand-in (scripts/local-stripe)", () => {
  let receiver: WebhookReceiver;
  let local: LocalStripeServer;
  let stripe: Stripe;

  beforeEach(async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    local = await createLocalStripeServer({
      webhook: { url: receiver.url, secret: WEBHOOK_SECRET },
      webhookRetry: { baseDelayMs: 20, maxDelayMs: 100, maxAttempts: 4 },
    });
    stripe = new Stripe("sk_test_local", { ...local.stripeConfig, maxNetworkRetries: 0 });
  });

  afterEach(async () => {
    await local.close();
    await receiver.stop();
  });

  async function createSession(overrides: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
    return stripe.checkout.sessions.create({
      mode: "payment",
      currency: "usd",
      line_items: [
        { quantity: 2, price_data: { currency: "usd", unit_amount: 450, product_data: { name: "Eggs (dozen)" } } },
        { quantity: 1, price_data: { currency: "usd", unit_amount: 1200, product_data: { name: "Honey" } } },
      ],
      success_url: "http://shop.test/orders/success?session={CHECKOUT_SESSION_ID}",
      cancel_url: "http://shop.test/cart?cancelled={CHECKOUT_SESSION_ID}",
      client_reference_id: "checkout-1",
      metadata: { checkout_id: "checkout-1" },
      payment_intent_data: { metadata: { checkout_id: "checkout-1" }, transfer_group: "checkout-1" },
      ...overrides,
    });
  }

  async function paidSession() {
    const session = await createSession();
    const outcome = local.paySession(session.id, { number: "4242424242424242", email: "buyer@example.com" });
    expect(outcome.status).to.equal("succeeded");
    return stripe.checkout.sessions.retrieve(session.id);
  }

  describe("Checkout Sessions", () => {
    it("creates a session in Stripe's shape whose url is the local hosted page, and lists its line items", async () => {
      const session = await createSession();
      expect(session).to.include({
        object: "checkout.session",
        mode: "payment",
        status: "open",
        payment_status: "unpaid",
        amount_total: 2100,
        currency: "usd",
        client_reference_id: "checkout-1",
        livemode: false,
        payment_intent: null,
      });
      expect(session.id).to.match(/^cs_test_/);
      expect(session.url).to.equal(`${local.url}/pay/${session.id}`);
      expect(session.metadata).to.deep.equal({ checkout_id: "checkout-1" });
      expect(session.expires_at - session.created).to.equal(24 * 60 * 60);

      const lineItems = await stripe.checkout.sessions.listLineItems(session.id);
      expect(lineItems.data.map((item) => [item.description, item.quantity, item.amount_total])).to.deep.equal([
        ["Eggs (dozen)", 2, 900],
        ["Honey", 1, 1200],
      ]);
      expect((await stripe.checkout.sessions.retrieve(session.id)).id).to.equal(session.id);
    });

    it("expires an open session on request and refuses to expire it twice", async () => {
      const session = await createSession();
      const expired = await stripe.checkout.sessions.expire(session.id);
      expect(expired).to.include({ status: "expired", url: null });
      const error = await stripe.checkout.sessions.expire(session.id).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(Stripe.errors.StripeInvalidRequestError);
      await local.waitForWebhooksIdle();
      expect(receiver.types()).to.deep.equal(["checkout.session.expired"]);
    });

    it("refuses an expires_at less than 30 minutes away, naming the parameter", async () => {
      const error = (await createSession({ expires_at: Math.floor(Date.now() / 1000) + 60 }).catch(
        (e: unknown) => e,
      )) as Stripe.errors.StripeError;
      expect(error).to.be.instanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error.param).to.equal("expires_at");
    });

    it("expires sessions past expires_at when the clock is advanced, sending checkout.session.expired", async () => {
      const soon = await createSession({ expires_at: local.now() + 31 * 60 });
      const later = await createSession();
      expect(local.advanceClock(60 * 60)).to.deep.equal([soon.id]);
      expect((await stripe.checkout.sessions.retrieve(soon.id)).status).to.equal("expired");
      expect((await stripe.checkout.sessions.retrieve(later.id)).status).to.equal("open");
      await local.waitForWebhooksIdle();
      const expiredEvent = receiver.events.find((event) => event.type === "checkout.session.expired")!;
      expect(expiredEvent.data.object.id).to.equal(soon.id);
      const page = await fetch(`${local.url}/pay/${soon.id}`);
      expect(page.status).to.equal(410);
    });
  });

  describe("errors", () => {
    it("answers a missing parameter with Stripe's 400 body naming it", async () => {
      const response = await fetch(`${local.url}/v1/checkout/sessions`, {
        method: "POST",
        headers: { authorization: "Bearer sk_test_local", "content-type": "application/x-www-form-urlencoded" },
        body: "mode=payment&success_url=http://x/&line_items[0][quantity]=1&line_items[0][price_data][unit_amount]=100&line_items[0][price_data][product_data][name]=Eggs",
      });
      expect(response.status).to.equal(400);
      expect(await response.json()).to.deep.include({
        error: {
          type: "invalid_request_error",
          code: "parameter_missing",
          doc_url: "https://stripe.com/docs/error-codes/parameter-missing",
          message: "Missing required param: line_items[0][price_data][currency].",
          param: "line_items[0][price_data][currency]",
        },
      });
    });

    it("answers an unknown id with a 404 resource_missing error the SDK raises as an invalid request", async () => {
      const error = (await stripe.paymentIntents
        .retrieve("pi_missing")
        .catch((e: unknown) => e)) as Stripe.errors.StripeError;
      expect(error).to.be.instanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).to.include({ statusCode: 404, code: "resource_missing", param: "id" });
      expect(error.raw).to.have.property("message", "No such payment_intent: 'pi_missing'");
    });

    it("rejects unknown parameters, non-integers and a missing or live API key", async () => {
      const unknown = (await createSession({ locale: "fr" }).catch((e: unknown) => e)) as Stripe.errors.StripeError;
      expect(unknown).to.include({ code: "parameter_unknown", param: "locale" });
      const badAmount = (await stripe.refunds
        .create({ payment_intent: "pi_x", amount: "ten" as unknown as number })
        .catch((e: unknown) => e)) as Stripe.errors.StripeError;
      expect(badAmount).to.include({ code: "parameter_invalid_integer", param: "amount" });
      const live = new Stripe("sk_live_nope", { ...local.stripeConfig, maxNetworkRetries: 0 });
      expect(await live.charges.retrieve("ch_x").catch((e: unknown) => e)).to.be.instanceOf(
        Stripe.errors.StripeAuthenticationError,
      );
      expect((await fetch(`${local.url}/v1/charges/ch_x`)).status).to.equal(401);
    });

    it("fails the next request with the injected status, in Stripe's shape", async () => {
      local.failNextRequest({ status: 500, pathPrefix: "/v1/checkout/sessions" });
      const error = await createSession().catch((e: unknown) => e);
      expect(error).to.be.instanceOf(Stripe.errors.StripeAPIError);
      expect((await createSession()).status).to.equal("open");
      local.failNextRequest({ status: 429 });
      expect(await stripe.events.list().catch((e: unknown) => e)).to.be.instanceOf(Stripe.errors.StripeRateLimitError);
    });

    it("fails with the error code asked for, or does the work and loses the answer, as a dropped connection would", async () => {
      local.failNextRequest({
        status: 400,
        code: "balance_insufficient",
        message: "No balance",
        pathPrefix: "/v1/events",
      });
      const refused = (await stripe.events.list().catch((e: unknown) => e)) as InstanceType<
        typeof Stripe.errors.StripeInvalidRequestError
      >;
      expect(refused).to.be.instanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(refused.code).to.equal("balance_insufficient");
      expect(refused.message).to.match(/No balance$/);

      const before = (await stripe.checkout.sessions.list({ limit: 100 })).data.length;
      // Stripe's SDK tries again once on a closed connection, whatever its retry setting: both answers are lost.
      local.failNextRequest({ dropResponse: true, count: 2, pathPrefix: "/v1/checkout/sessions" });
      const lost = await createSession({ client_reference_id: "dropped" }).catch((e: unknown) => e);
      expect(lost).to.be.instanceOf(Stripe.errors.StripeConnectionError);
      // The work was done though the answer was lost.
      const sessions = (await stripe.checkout.sessions.list({ limit: 100 })).data;
      expect(sessions.length).to.equal(before + 1);
      expect(sessions.map((session) => session.client_reference_id)).to.include("dropped");
    });

    it("holds a handled request's answer until released (the work is done, the caller has not heard)", async () => {
      local.holdRequests({ method: "post", pathPrefix: "/v1/checkout/sessions", afterHandling: true });
      const before = (await stripe.checkout.sessions.list({ limit: 100 })).data.length;
      const created = createSession();
      await until(() => local.heldRequestCount() === 1);
      expect((await stripe.checkout.sessions.list({ limit: 100 })).data.length).to.equal(before + 1);
      expect(local.releaseRequests()).to.equal(1);
      expect((await created).status).to.equal("open");
    });

    it("holds matching requests unanswered, as a slow Stripe would, and answers them once released", async () => {
      const session = await createSession();
      local.holdRequests({ method: "get", pathPrefix: "/v1/checkout/sessions/" });
      let answered = false;
      const retrieved = stripe.checkout.sessions.retrieve(session.id).then((found) => {
        answered = true;
        return found;
      });
      // Another method or path passes.
      expect((await createSession()).status).to.equal("open");
      expect((await stripe.events.list()).object).to.equal("list");
      await until(() => local.heldRequestCount() === 1);
      expect(answered).to.equal(false);
      expect(local.releaseRequests()).to.equal(1);
      expect((await retrieved).id).to.equal(session.id);
      expect(local.heldRequestCount()).to.equal(0);
      expect((await stripe.checkout.sessions.retrieve(session.id)).id, "no longer held").to.equal(session.id);
    });
  });

  describe("idempotency", () => {
    it("returns the first response again for the same key and parameters", async () => {
      const first = await createSession({}).then((s) => s.id);
      const params = {
        mode: "payment" as const,
        line_items: [
          { quantity: 1, price_data: { currency: "usd", unit_amount: 500, product_data: { name: "Milk" } } },
        ],
        success_url: "http://shop.test/ok",
      };
      const a = await stripe.checkout.sessions.create(params, { idempotencyKey: "checkout-7" });
      const b = await stripe.checkout.sessions.create(params, { idempotencyKey: "checkout-7" });
      expect(b.id).to.equal(a.id);
      expect(b.id).to.not.equal(first);
      expect((await stripe.checkout.sessions.list({ limit: 100 })).data).to.have.length(2);
    });

    it("refuses the same key with different parameters with a 400 idempotency_error", async () => {
      const base = { mode: "payment" as const, success_url: "http://shop.test/ok" };
      const item = (unit_amount: number) => [
        { quantity: 1, price_data: { currency: "usd", unit_amount, product_data: { name: "Milk" } } },
      ];
      await stripe.checkout.sessions.create({ ...base, line_items: item(500) }, { idempotencyKey: "checkout-8" });
      const error = (await stripe.checkout.sessions
        .create({ ...base, line_items: item(600) }, { idempotencyKey: "checkout-8" })
        .catch((e: unknown) => e)) as Stripe.errors.StripeError;
      expect(error).to.be.instanceOf(Stripe.errors.StripeIdempotencyError);
      expect(error).to.include({ statusCode: 400, type: "StripeIdempotencyError" });
      expect(error.raw).to.have.property("type", "idempotency_error");
    });
    it("saves no result for a request whose parameters failed validation, so its key can be used again", async () => {
      const params = {
        mode: "payment" as const,
        line_items: [
          { quantity: 1, price_data: { currency: "usd", unit_amount: 500, product_data: { name: "Milk" } } },
        ],
        success_url: "http://shop.test/ok",
      };
      const refused = await stripe.checkout.sessions
        .create({ ...params, locale: "fr" }, { idempotencyKey: "checkout-9" })
        .catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(Stripe.errors.StripeInvalidRequestError);
      const created = await stripe.checkout.sessions.create(params, { idempotencyKey: "checkout-9" });
      expect(created.status).to.equal("open");
    });
  });

  describe("hosted checkout page", () => {
    it("shows a labelled card form and, paid with 4242, redirects to success_url and completes the session", async () => {
      const session = await createSession();
      const page = await (await fetch(session.url!)).text();
      expect(page).to.include('<label for="card_number">Card number</label>');
      expect(page).to.include(`href="http://shop.test/cart?cancelled=${session.id}"`);

      const response = await form(session.url!, {
        email: "buyer@example.com",
        card_number: "4242 4242 4242 4242",
        card_expiry: "12 / 34",
        card_cvc: "123",
      });
      expect(response.status).to.equal(303);
      expect(response.headers.get("location")).to.equal(`http://shop.test/orders/success?session=${session.id}`);

      const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
      expect(done).to.include({ status: "complete", payment_status: "paid", url: null });
      const paymentIntent = done.payment_intent as Stripe.PaymentIntent;
      expect(paymentIntent).to.include({
        status: "succeeded",
        amount: 2100,
        amount_received: 2100,
        transfer_group: "checkout-1",
      });
      expect(paymentIntent.id).to.match(/^pi_/);
      expect(paymentIntent.metadata).to.deep.equal({ checkout_id: "checkout-1" });
      const charge = await stripe.charges.retrieve(paymentIntent.latest_charge as string);
      expect(charge).to.include({
        status: "succeeded",
        paid: true,
        amount: 2100,
        amount_refunded: 0,
        payment_intent: paymentIntent.id,
      });
      expect(charge.id).to.match(/^ch_/);
      expect(charge.payment_method_details?.card?.last4).to.equal("4242");

      await local.waitForWebhooksIdle();
      expect(receiver.types()).to.include.members([
        "payment_intent.succeeded",
        "charge.succeeded",
        "checkout.session.completed",
      ]);
      const completed = receiver.events.find((event) => event.type === "checkout.session.completed")!;
      expect(completed).to.include({ object: "event", livemode: false });
      expect(completed.id).to.match(/^evt_/);
      expect(completed.data.object.payment_intent).to.equal(paymentIntent.id);
    });

    it("shows the decline for 4000 0000 0000 0002 and keeps the session open", async () => {
      const session = await createSession();
      const response = await form(session.url!, {
        card_number: "4000000000000002",
        card_expiry: "12/34",
        card_cvc: "123",
      });
      expect(response.status).to.equal(402);
      expect(await response.text()).to.match(/role="alert"[^>]*>Your card was declined\./);
      const open = await stripe.checkout.sessions.retrieve(session.id);
      expect(open.status).to.equal("open");
      const paymentIntent = await stripe.paymentIntents.retrieve(open.payment_intent as string);
      expect(paymentIntent.status).to.equal("requires_payment_method");
      expect(paymentIntent.last_payment_error).to.include({ code: "card_declined", decline_code: "generic_decline" });
      await local.waitForWebhooksIdle();
      expect(receiver.types()).to.include("payment_intent.payment_failed");
      expect(receiver.types()).to.not.include("checkout.session.completed");
    });

    it("asks for 3-D Secure with 4000 0027 6000 3184 and completes when the buyer completes it", async () => {
      const session = await createSession();
      const response = await form(session.url!, {
        card_number: "4000002760003184",
        card_expiry: "12/34",
        card_cvc: "123",
      });
      expect(response.status).to.equal(303);
      const challengeUrl = `${local.url}${response.headers.get("location")}`;
      const challenge = await (await fetch(challengeUrl)).text();
      expect(challenge).to.include('value="complete"').and.include('value="fail"');
      const completed = await form(challengeUrl, { result: "complete" });
      expect(completed.headers.get("location")).to.equal(`http://shop.test/orders/success?session=${session.id}`);
      const paymentIntent = await stripe.paymentIntents.retrieve(
        (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string,
      );
      expect(paymentIntent.status).to.equal("succeeded");
      await local.waitForWebhooksIdle();
      expect(receiver.types()).to.include.members(["payment_intent.requires_action", "checkout.session.completed"]);
    });

    it("keeps the session open and shows why when 3-D Secure fails", async () => {
      const session = await createSession();
      const response = await form(session.url!, {
        card_number: "4000002760003184",
        card_expiry: "12/34",
        card_cvc: "123",
      });
      const failed = await form(`${local.url}${response.headers.get("location")}`, { result: "fail" });
      expect(failed.status).to.equal(402);
      expect(await failed.text()).to.include("unable to authenticate");
      const open = await stripe.checkout.sessions.retrieve(session.id);
      expect(open.status).to.equal("open");
      const paymentIntent = await stripe.paymentIntents.retrieve(open.payment_intent as string);
      expect(paymentIntent.last_payment_error?.code).to.equal("payment_intent_authentication_failure");
      await local.waitForWebhooksIdle();
      expect(receiver.types()).to.include("payment_intent.payment_failed");

      const retried = await form(session.url!, {
        card_number: "4242424242424242",
        card_expiry: "12/34",
        card_cvc: "1",
      });
      expect(retried.status).to.equal(303);
      const paid = await stripe.checkout.sessions.retrieve(session.id);
      expect(paid).to.include({ status: "complete", payment_intent: paymentIntent.id });
    });

    it("reports a delayed payment's failure as checkout.session.async_payment_failed", async () => {
      const session = await createSession();
      local.payDelayed(session.id, "failed");
      await local.waitForWebhooksIdle();
      expect(receiver.types()).to.include.members([
        "checkout.session.completed",
        "checkout.session.async_payment_failed",
      ]);
      expect((await stripe.checkout.sessions.retrieve(session.id)).payment_status).to.equal("unpaid");
    });
  });

  describe("refunds", () => {
    it("refunds part then the rest of a payment, moving the charge's amount_refunded", async () => {
      const session = await paidSession();
      const partial = await stripe.refunds.create({ payment_intent: session.payment_intent as string, amount: 500 });
      expect(partial).to.include({ object: "refund", amount: 500, status: "succeeded", currency: "usd" });
      expect(partial.id).to.match(/^re_/);
      const charge = await stripe.charges.retrieve(partial.charge as string);
      expect(charge).to.include({ amount_refunded: 500, refunded: false });

      const rest = await stripe.refunds.create({ charge: charge.id });
      expect(rest.amount).to.equal(1600);
      expect(await stripe.charges.retrieve(charge.id)).to.include({ amount_refunded: 2100, refunded: true });
      expect((await stripe.refunds.retrieve(partial.id)).id).to.equal(partial.id);
      const listed = await stripe.refunds.list({ payment_intent: session.payment_intent as string });
      expect(listed.data.map((refund) => refund.id)).to.deep.equal([rest.id, partial.id]);

      const error = (await stripe.refunds
        .create({ charge: charge.id })
        .catch((e: unknown) => e)) as Stripe.errors.StripeError;
      expect(error.code).to.equal("charge_already_refunded");
      await local.waitForWebhooksIdle();
      const types = receiver.types();
      expect(types.filter((type) => type === "refund.created")).to.have.length(2);
      expect(types.filter((type) => type === "charge.refunded")).to.have.length(2);
      expect(types.filter((type) => type === "refund.updated")).to.have.length(2);
    });

    it("fails a refund at the bank as Stripe reports it: failed, the charge's money no longer refunded", async () => {
      const session = await paidSession();
      const refund = await stripe.refunds.create({ payment_intent: session.payment_intent as string, amount: 700 });
      await local.waitForWebhooksIdle();
      const before = receiver.types().length;
      local.failRefund(refund.id);
      const failed = await stripe.refunds.retrieve(refund.id);
      expect(failed).to.include({ status: "failed", failure_reason: "expired_or_canceled_card" });
      expect(await stripe.charges.retrieve(refund.charge as string)).to.include({
        amount_refunded: 0,
        refunded: false,
      });
      await local.waitForWebhooksIdle();
      expect(receiver.types().slice(before)).to.have.members([
        "refund.failed",
        "refund.updated",
        "charge.refund.updated",
      ]);
      expect(() => local.failRefund(refund.id)).to.throw(/can no longer fail/);
    });

    it("refuses to refund more than is left on the charge", async () => {
      const session = await paidSession();
      const error = (await stripe.refunds
        .create({ payment_intent: session.payment_intent as string, amount: 5000 })
        .catch((e: unknown) => e)) as Stripe.errors.StripeError;
      expect(error).to.be.instanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error.param).to.equal("amount");
    });
  });

  describe("Connect", () => {
    it("onboards an express account through its account link, then transfers to it and reverses part", async () => {
      const account = await stripe.accounts.create({ type: "express", country: "US", email: "farm@example.com" });
      expect(account.id).to.match(/^acct_/);
      expect(account).to.include({ charges_enabled: false, payouts_enabled: false });
      const session = await paidSession();
      const paymentIntent = await stripe.paymentIntents.retrieve(session.payment_intent as string);
      const early = (await stripe.transfers
        .create({ amount: 1000, currency: "usd", destination: account.id })
        .catch((e: unknown) => e)) as Stripe.errors.StripeError;
      expect(early.param).to.equal("destination");

      const link = await stripe.accountLinks.create({
        account: account.id,
        refresh_url: "http://shop.test/farm/connect/refresh",
        return_url: "http://shop.test/farm/connect/done",
        type: "account_onboarding",
      });
      expect(link.url.startsWith(`${local.url}/connect/onboarding/`)).to.equal(true);
      expect(await (await fetch(link.url)).text()).to.include("Complete onboarding");
      const done = await form(link.url, {});
      expect(done.headers.get("location")).to.equal("http://shop.test/farm/connect/done");
      expect(await stripe.accounts.retrieve(account.id)).to.include({ charges_enabled: true, payouts_enabled: true });

      const transfer = await stripe.transfers.create({
        amount: 1900,
        currency: "usd",
        destination: account.id,
        transfer_group: "checkout-1",
        source_transaction: paymentIntent.latest_charge as string,
      });
      expect(transfer).to.include({ object: "transfer", amount: 1900, destination: account.id, amount_reversed: 0 });
      expect(transfer.id).to.match(/^tr_/);
      const tooMuch = (await stripe.transfers
        .create({
          amount: 500,
          currency: "usd",
          destination: account.id,
          source_transaction: paymentIntent.latest_charge as string,
        })
        .catch((e: unknown) => e)) as Stripe.errors.StripeError;
      expect(tooMuch.code).to.equal("balance_insufficient");

      const reversal = await stripe.transfers.createReversal(transfer.id, { amount: 400 });
      expect(reversal).to.include({ object: "transfer_reversal", amount: 400, transfer: transfer.id });
      expect(await stripe.transfers.retrieve(transfer.id)).to.include({ amount_reversed: 400, reversed: false });
      await local.waitForWebhooksIdle();
      expect(receiver.types()).to.include.members(["account.updated", "transfer.created"]);
    });
  });

  describe("disputes", () => {
    it("opens a dispute on a charge and closes it lost, through the HTTP controls", async () => {
      const session = await paidSession();
      const paymentIntent = await stripe.paymentIntents.retrieve(session.payment_intent as string);
      const opened = (await (
        await fetch(`${local.url}/_local/charges/${paymentIntent.latest_charge as string}/dispute`, {
          method: "POST",
          body: JSON.stringify({ reason: "product_not_received" }),
        })
      ).json()) as Stripe.Dispute;
      expect(opened.id).to.match(/^dp_/);
      expect(await stripe.disputes.retrieve(opened.id)).to.include({
        status: "needs_response",
        amount: 2100,
        reason: "product_not_received",
      });
      const refund = (await stripe.refunds
        .create({ payment_intent: paymentIntent.id })
        .catch((e: unknown) => e)) as Stripe.errors.StripeError;
      expect(refund.code).to.equal("charge_disputed");

      await fetch(`${local.url}/_local/disputes/${opened.id}/close`, {
        method: "POST",
        body: JSON.stringify({ status: "lost" }),
      });
      expect((await stripe.disputes.retrieve(opened.id)).status).to.equal("lost");
      await local.waitForWebhooksIdle();
      expect(receiver.types()).to.include.members(["charge.dispute.created", "charge.dispute.closed"]);
    });
  });

  describe("events", () => {
    it("retrieves events and lists them newest first with created filters and starting_after pagination", async () => {
      await createSession();
      await paidSession();
      local.advanceClock(3600);
      const afterAnHour = local.now();
      await paidSession();
      const all = await stripe.events.list({ limit: 100 });
      expect(all.data.length).to.be.greaterThan(6);
      expect((await stripe.events.retrieve(all.data[0].id)).id).to.equal(all.data[0].id);

      const recent = await stripe.events.list({ created: { gte: afterAnHour }, limit: 100 });
      expect(recent.data.every((event) => event.created >= afterAnHour)).to.equal(true);
      const older = await stripe.events.list({ created: { lte: afterAnHour - 1 }, limit: 100 });
      expect(recent.data.length + older.data.length).to.equal(all.data.length);

      const firstPage = await stripe.events.list({ limit: 2 });
      expect(firstPage.has_more).to.equal(true);
      const secondPage = await stripe.events.list({ limit: 2, starting_after: firstPage.data[1].id });
      expect(secondPage.data.map((event) => event.id)).to.deep.equal(all.data.slice(2, 4).map((event) => event.id));
      const completed = await stripe.events.list({ type: "checkout.session.completed" });
      expect(completed.data).to.have.length(2);
    });
  });

  describe("webhooks", () => {
    it("signs deliveries so the SDK verifies them with a 300 s tolerance and rejects a stale or forged signature", async () => {
      await paidSession();
      await local.waitForWebhooksIdle();
      expect(receiver.rejected).to.deep.equal([]);
      const event = receiver.events[0];
      const payload = JSON.stringify(event);
      const stale = Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: WEBHOOK_SECRET,
        timestamp: Math.floor(Date.now() / 1000) - 301,
      });
      expect(() => Stripe.webhooks.constructEvent(payload, stale, WEBHOOK_SECRET, 300)).to.throw(
        Stripe.errors.StripeSignatureVerificationError,
      );
      const forged = Stripe.webhooks.generateTestHeaderString({ payload, secret: "whsec_somebodyelse" });
      expect(() => Stripe.webhooks.constructEvent(payload, forged, WEBHOOK_SECRET, 300)).to.throw(
        Stripe.errors.StripeSignatureVerificationError,
      );

      const staleDelivery = await local.redeliverEvent(event.id, { timestampOffsetSeconds: -600 });
      const forgedDelivery = await local.redeliverEvent(event.id, { secret: "whsec_somebodyelse" });
      expect([staleDelivery[0].status, forgedDelivery[0].status]).to.deep.equal([400, 400]);
      expect(receiver.rejected).to.have.length(2);
      const again = await local.redeliverEvent(event.id);
      expect(again[0].status).to.equal(200);
      expect(receiver.events.filter((received) => received.id === event.id)).to.have.length(2);
    });

    it("retries a failed delivery with backoff until the endpoint accepts it", async () => {
      receiver.failures = [500, 503];
      await createSession().then((session) => stripe.checkout.sessions.expire(session.id));
      await local.waitForWebhooksIdle();
      const attempts = local.webhookAttempts();
      expect(attempts.map((attempt) => [attempt.attempt, attempt.status])).to.deep.equal([
        [1, 500],
        [2, 503],
        [3, 200],
      ]);
      expect((await stripe.events.retrieve(attempts[0].eventId)).pending_webhooks).to.equal(0);
    });

    it("holds deliveries while paused and releases them in a seeded shuffled order", async () => {
      local.pauseWebhooks();
      for (let i = 0; i < 4; i++) await paidSession();
      await local.waitForWebhooksIdle();
      expect(receiver.events).to.have.length(0);
      const order = await local.releaseWebhooks(7);
      await local.waitForWebhooksIdle();
      expect(receiver.events.map((event) => event.id)).to.deep.equal(order);
      const created = (await stripe.events.list({ limit: 100 })).data.map((event) => event.id).reverse();
      expect([...order].sort()).to.deep.equal([...created].sort());
      expect(order).to.not.deep.equal(created);
    });

    it("delivers every event twice while duplicate delivery is on", async () => {
      local.setDuplicateDelivery(true);
      const session = await createSession();
      await stripe.checkout.sessions.expire(session.id);
      await local.waitForWebhooksIdle();
      expect(receiver.types()).to.deep.equal(["checkout.session.expired", "checkout.session.expired"]);
      expect(receiver.events[0].id).to.equal(receiver.events[1].id);
    });

    it("registers endpoints through the API with a whsec_ secret that signs their deliveries", async () => {
      const second = new WebhookReceiver();
      await second.start();
      try {
        const endpoint = await stripe.webhookEndpoints.create({
          url: second.url,
          enabled_events: ["checkout.session.expired"],
        });
        expect(endpoint.secret).to.match(/^whsec_/);
        second.secret = endpoint.secret!;
        expect((await stripe.webhookEndpoints.retrieve(endpoint.id)).secret).to.equal(undefined);
        const session = await createSession();
        await stripe.checkout.sessions.expire(session.id);
        await paidSession();
        await local.waitForWebhooksIdle();
        expect(second.rejected).to.deep.equal([]);
        expect(second.types()).to.deep.equal(["checkout.session.expired"]);
        expect(receiver.types()).to.include.members(["checkout.session.expired", "checkout.session.completed"]);
      } finally {
        await second.stop();
      }
    });
  });

  describe("HTTP test controls under /_local", () => {
    async function control(path: string, body?: unknown): Promise<Record<string, unknown>> {
      const response = await fetch(`${local.url}/_local${path}`, {
        method: "POST",
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(response.status, path).to.equal(200);
      return (await response.json()) as Record<string, unknown>;
    }

    it("pays sessions with test cards, holds and releases webhooks, advances the clock and injects faults", async () => {
      await control("/webhooks/pause");
      const threeDs = await createSession();
      expect(
        await control(`/checkout/sessions/${threeDs.id}/pay`, {
          number: "4000002760003184",
          three_d_secure: "complete",
        }),
      ).to.include({ status: "succeeded" });
      const disputed = await createSession();
      await control(`/checkout/sessions/${disputed.id}/pay`, { number: "4000 0000 0000 0259" });
      const disputes = await stripe.disputes.list({
        payment_intent: (await stripe.checkout.sessions.retrieve(disputed.id)).payment_intent as string,
      });
      expect(disputes.data.map((dispute) => dispute.status)).to.deep.equal(["needs_response"]);
      const abandoned = await createSession({ expires_at: local.now() + 45 * 60 });
      expect(await control("/clock/advance", { seconds: 3600 })).to.deep.include({ expired_sessions: [abandoned.id] });

      expect(receiver.events).to.have.length(0);
      const { delivered } = (await control("/webhooks/release", { seed: 42 })) as { delivered: string[] };
      await control("/webhooks/wait-idle", { timeout_ms: 10_000 });
      expect(receiver.events.map((event) => event.id)).to.deep.equal(delivered);
      expect(receiver.types()).to.include.members([
        "checkout.session.completed",
        "charge.dispute.created",
        "checkout.session.expired",
      ]);

      await control("/faults", { status: 503, path_prefix: "/v1/events" });
      const failed = (await stripe.events.list().catch((e: unknown) => e)) as Stripe.errors.StripeError;
      expect(failed).to.be.instanceOf(Stripe.errors.StripeAPIError);
      expect(failed.statusCode).to.equal(503);
      const bad = await fetch(`${local.url}/_local/faults`, { method: "POST", body: JSON.stringify({ status: 200 }) });
      expect(bad.status).to.equal(400);
      expect(((await bad.json()) as { error: { type: string } }).error.type).to.equal("invalid_request_error");
    });

    it("holds API requests until they are released, and refuses a hold outside /v1", async () => {
      expect(await control("/requests/hold", { path_prefix: "/v1/events" })).to.deep.equal({ holding: true });
      const listed = stripe.events.list();
      await until(() => local.heldRequestCount() === 1);
      expect(await (await fetch(`${local.url}/_local/requests/held`)).json()).to.deep.equal({ held: 1 });
      expect(await control("/requests/release")).to.deep.equal({ released: 1 });
      expect((await listed).object).to.equal("list");
      const bad = await fetch(`${local.url}/_local/requests/hold`, {
        method: "POST",
        body: JSON.stringify({ path_prefix: "/elsewhere" }),
      });
      expect(bad.status).to.equal(400);
    });
  });

  describe("npm run stripe:local", () => {
    it("starts the server from LOCAL_STRIPE_* settings and prints its URL", async () => {
      const child = spawn(process.execPath, ["--import", "tsx", "scripts/local-stripe/local-stripe-command.ts"], {
        env: {
          ...process.env,
          LOCAL_STRIPE_PORT: "0",
          LOCAL_STRIPE_WEBHOOK_URL: receiver.url,
          LOCAL_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let output = "";
          child.stdout.on("data", (chunk: Buffer) => {
            output += chunk.toString();
            const match = /listening on (http:\/\/\S+)/.exec(output);
            if (match) resolve(match[1]);
          });
          child.once("exit", (code) => reject(new Error(`stripe:local exited with ${code}: ${output}`)));
        });
        const { hostname, port } = new URL(url);
        const client = new Stripe("sk_test_cli", { host: hostname, port, protocol: "http", maxNetworkRetries: 0 });
        const session = await createSessionWith(client);
        await client.checkout.sessions.expire(session.id);
        await until(() => receiver.events.length > 0);
        expect(receiver.types()).to.deep.equal(["checkout.session.expired"]);
      } finally {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
    });
  });

  describe("configuration", () => {
    it("defaults to port 12111 and takes the webhook endpoint from LOCAL_STRIPE_WEBHOOK_URL and _SECRET", () => {
      expect(loadLocalStripeConfig({})).to.include({ host: "127.0.0.1", port: 12111 });
      expect(
        loadLocalStripeConfig({
          LOCAL_STRIPE_WEBHOOK_URL: "http://127.0.0.1:4000/webhooks/stripe",
          LOCAL_STRIPE_WEBHOOK_SECRET: "whsec_abc",
        }).webhook,
      ).to.deep.equal({ url: "http://127.0.0.1:4000/webhooks/stripe", secret: "whsec_abc" });
    });

    it("stops with the variable's name on a bad value", () => {
      expect(() => loadLocalStripeConfig({ LOCAL_STRIPE_PORT: "eighty" })).to.throw(/LOCAL_STRIPE_PORT/);
      expect(() => loadLocalStripeConfig({ LOCAL_STRIPE_WEBHOOK_URL: "http://x.test/hook" })).to.throw(
        /LOCAL_STRIPE_WEBHOOK_SECRET/,
      );
      expect(() => loadLocalStripeConfig({ LOCAL_STRIPE_API_KEY: "sk_live_x" })).to.throw(/LOCAL_STRIPE_API_KEY/);
    });
  });
});
