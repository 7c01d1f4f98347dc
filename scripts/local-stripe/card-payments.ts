import type { CheckoutSessions } from "./checkout-sessions.js";
import type { Disputes } from "./disputes.js";
import { LocalStripeError } from "./local-stripe-error.js";
import type { LocalStripeStore, StripeObject } from "./local-stripe-store.js";
import { stripeId } from "./stripe-id.js";
import { cardBehaviour, cardBrand } from "./test-cards.js";

/** What the buyer typed on the hosted page (or a test passed to the pay control). */
export interface CardEntry {
  number: string;
  email?: string;
  name?: string;
  expMonth?: number;
  expYear?: number;
}

/** How a payment attempt ended, for the hosted page to show. */
export type PaymentOutcome =
  | { status: "succeeded"; paymentIntent: string; charge: string }
  | { status: "declined"; paymentIntent: string; code: string; message: string }
  | { status: "requires_action"; paymentIntent: string }
  | { status: "authentication_failed"; paymentIntent: string; message: string };

const AUTHENTICATION_FAILED =
  "We are unable to authenticate your payment method. Please choose a different payment method and try again.";

/**
 * Paying a Checkout Session by card: the PaymentIntent and Charge it creates, the test card's behaviour (success,
 * decline, 3-D Secure), and the events Stripe sends for each step.
 */
export class CardPayments {
  /** Card details of a PaymentIntent waiting for 3-D Secure, by PaymentIntent id. */
  private readonly awaitingAuthentication = new Map<string, { sessionId: string; card: CardEntry }>();

  constructor(
    private readonly store: LocalStripeStore,
    private readonly sessions: CheckoutSessions,
    private readonly disputes: Disputes,
  ) {}

  pay(sessionId: string, card: CardEntry): PaymentOutcome {
    const session = this.openSession(sessionId);
    const paymentIntent = this.paymentIntentFor(session);
    // A new card replaces one still waiting for 3-D Secure; that challenge can no longer complete the payment.
    this.awaitingAuthentication.delete(paymentIntent.id);
    const behaviour = cardBehaviour(card.number);
    switch (behaviour.kind) {
      case "declined": {
        const charge = this.createCharge(paymentIntent, card, { failure: behaviour });
        const previous = { status: paymentIntent.status, last_payment_error: paymentIntent.last_payment_error };
        paymentIntent.status = "requires_payment_method";
        paymentIntent.latest_charge = charge.id;
        paymentIntent.last_payment_error = {
          type: "card_error",
          code: behaviour.code,
          ...(behaviour.declineCode === undefined ? {} : { decline_code: behaviour.declineCode }),
          message: behaviour.message,
          charge: charge.id,
        };
        this.store.emit("charge.failed", charge);
        this.store.emit("payment_intent.payment_failed", paymentIntent, previous);
        return {
          status: "declined",
          paymentIntent: paymentIntent.id,
          code: behaviour.code,
          message: behaviour.message,
        };
      }
      case "requires_authentication": {
        const previous = { status: paymentIntent.status, next_action: null };
        paymentIntent.status = "requires_action";
        paymentIntent.next_action = { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect" } };
        this.awaitingAuthentication.set(paymentIntent.id, { sessionId, card });
        this.store.emit("payment_intent.requires_action", paymentIntent, previous);
        return { status: "requires_action", paymentIntent: paymentIntent.id };
      }
      case "succeeds":
      case "succeeds_then_disputed": {
        const charge = this.succeed(session, paymentIntent, card, false);
        if (behaviour.kind === "succeeds_then_disputed") this.disputes.open(charge.id, { reason: "fraudulent" });
        return { status: "succeeded", paymentIntent: paymentIntent.id, charge: charge.id };
      }
    }
  }

  /** The buyer's answer on the 3-D Secure page of a PaymentIntent awaiting authentication. */
  authenticate(paymentIntentId: string, result: "complete" | "fail"): PaymentOutcome & { sessionId: string } {
    const pending = this.awaitingAuthentication.get(paymentIntentId);
    if (pending === undefined) {
      throw LocalStripeError.invalidRequest(`PaymentIntent ${paymentIntentId} is not awaiting authentication.`, {
        code: "payment_intent_unexpected_state",
      });
    }
    this.awaitingAuthentication.delete(paymentIntentId);
    const session = this.openSession(pending.sessionId);
    const paymentIntent = this.store.get("payment_intent", paymentIntentId);
    if (result === "complete") {
      const charge = this.succeed(session, paymentIntent, pending.card, true);
      return { status: "succeeded", paymentIntent: paymentIntent.id, charge: charge.id, sessionId: session.id };
    }
    const previous = { status: paymentIntent.status, next_action: paymentIntent.next_action };
    paymentIntent.status = "requires_payment_method";
    paymentIntent.next_action = null;
    paymentIntent.last_payment_error = {
      type: "invalid_request_error",
      code: "payment_intent_authentication_failure",
      message:
        "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
    };
    this.store.emit("payment_intent.payment_failed", paymentIntent, previous);
    return {
      status: "authentication_failed",
      paymentIntent: paymentIntent.id,
      message: AUTHENTICATION_FAILED,
      sessionId: session.id,
    };
  }

  /**
   * A delayed-notification payment (a bank debit, not a card): the session completes unpaid, then the payment
   * settles or fails, as `checkout.session.async_payment_succeeded` / `async_payment_failed` tell.
   */
  payDelayed(sessionId: string, result: "succeeded" | "failed", email?: string): StripeObject {
    const session = this.openSession(sessionId);
    const paymentIntent = this.paymentIntentFor(session);
    const sessionBefore = { status: session.status, payment_status: session.payment_status, url: session.url };
    paymentIntent.status = "processing";
    Object.assign(session, {
      status: "complete",
      payment_status: "unpaid",
      url: null,
      customer_details: { email: email ?? null, name: null },
    });
    this.store.emit("checkout.session.completed", session, sessionBefore);
    if (result === "succeeded") {
      const charge = this.createCharge(paymentIntent, { number: "", email }, { failure: null, type: "sepa_debit" });
      Object.assign(paymentIntent, {
        status: "succeeded",
        amount_received: paymentIntent.amount,
        latest_charge: charge.id,
      });
      session.payment_status = "paid";
      this.store.emit("charge.succeeded", charge);
      this.store.emit("payment_intent.succeeded", paymentIntent, { status: "processing" });
      this.store.emit("checkout.session.async_payment_succeeded", session, { payment_status: "unpaid" });
    } else {
      const failure = { code: "payment_method_not_available", message: "The bank debit failed." };
      const charge = this.createCharge(paymentIntent, { number: "", email }, { failure, type: "sepa_debit" });
      Object.assign(paymentIntent, {
        status: "requires_payment_method",
        latest_charge: charge.id,
        last_payment_error: { type: "card_error", ...failure, charge: charge.id },
      });
      this.store.emit("charge.failed", charge);
      this.store.emit("payment_intent.payment_failed", paymentIntent, { status: "processing" });
      this.store.emit("checkout.session.async_payment_failed", session);
    }
    return session;
  }

  private openSession(sessionId: string): StripeObject {
    const session = this.sessions.get(sessionId);
    if (session.status === "open" && (session.expires_at as number) <= this.store.now()) this.sessions.expireDue();
    if (session.status !== "open") {
      throw LocalStripeError.invalidRequest(
        `This Checkout Session is no longer open (status: ${String(session.status)}).`,
        {
          code: "checkout_session_not_open",
        },
      );
    }
    return session;
  }

  /** The session's PaymentIntent, created on the first payment attempt as Stripe does. */
  private paymentIntentFor(session: StripeObject): StripeObject {
    if (typeof session.payment_intent === "string") return this.store.get("payment_intent", session.payment_intent);
    const data = this.sessions.extrasOf(session.id).paymentIntentData;
    const id = stripeId("pi");
    const paymentIntent = this.store.insert({
      id,
      object: "payment_intent",
      amount: session.amount_total,
      amount_capturable: 0,
      amount_received: 0,
      capture_method: "automatic_async",
      client_secret: `${id}_secret_${stripeId("x").slice(2)}`,
      confirmation_method: "automatic",
      currency: session.currency,
      customer: null,
      description: data.description ?? null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: { ...data.metadata },
      next_action: null,
      payment_method: null,
      payment_method_types: ["card"],
      status: "requires_payment_method",
      transfer_group: data.transfer_group ?? null,
    });
    session.payment_intent = id;
    this.store.emit("payment_intent.created", paymentIntent);
    return paymentIntent;
  }

  private succeed(
    session: StripeObject,
    paymentIntent: StripeObject,
    card: CardEntry,
    authenticated: boolean,
  ): StripeObject {
    const charge = this.createCharge(paymentIntent, card, { failure: null, authenticated });
    const intentBefore = {
      status: paymentIntent.status,
      amount_received: 0,
      latest_charge: paymentIntent.latest_charge,
    };
    Object.assign(paymentIntent, {
      status: "succeeded",
      amount_received: paymentIntent.amount,
      latest_charge: charge.id,
      last_payment_error: null,
      next_action: null,
      payment_method: charge.payment_method,
    });
    const sessionBefore = { status: session.status, payment_status: session.payment_status, url: session.url };
    Object.assign(session, {
      status: "complete",
      payment_status: "paid",
      url: null,
      customer_details: { email: card.email ?? null, name: card.name ?? null },
    });
    this.store.emit("charge.succeeded", charge);
    this.store.emit("payment_intent.succeeded", paymentIntent, intentBefore);
    this.store.emit("checkout.session.completed", session, sessionBefore);
    return charge;
  }

  private createCharge(
    paymentIntent: StripeObject,
    card: CardEntry,
    how: {
      failure: { code: string; declineCode?: string; message: string } | null;
      authenticated?: boolean;
      type?: string;
    },
  ): StripeObject {
    const digits = card.number.replace(/[\s-]/g, "");
    const paid = how.failure === null;
    const type = how.type ?? "card";
    return this.store.insert({
      id: stripeId("ch"),
      object: "charge",
      amount: paymentIntent.amount,
      amount_captured: paid ? paymentIntent.amount : 0,
      amount_refunded: 0,
      balance_transaction: paid ? stripeId("txn") : null,
      billing_details: { email: card.email ?? null, name: card.name ?? null },
      captured: paid,
      currency: paymentIntent.currency,
      customer: null,
      description: paymentIntent.description,
      disputed: false,
      failure_code: how.failure?.code ?? null,
      failure_message: how.failure?.message ?? null,
      livemode: false,
      metadata: { ...(paymentIntent.metadata as Record<string, string>) },
      outcome: paid
        ? {
            network_status: "approved_by_network",
            reason: null,
            risk_level: "normal",
            seller_message: "Payment complete.",
            type: "authorized",
          }
        : {
            network_status: "declined_by_network",
            reason: how.failure?.declineCode ?? null,
            risk_level: "normal",
            seller_message: "The bank did not return any further details with this decline.",
            type: "issuer_declined",
          },
      paid,
      payment_intent: paymentIntent.id,
      payment_method: stripeId("pm"),
      payment_method_details:
        type === "card"
          ? {
              type: "card",
              card: {
                brand: cardBrand(digits),
                country: "US",
                exp_month: card.expMonth ?? 12,
                exp_year: card.expYear ?? 2034,
                funding: "credit",
                last4: digits.slice(-4),
                three_d_secure: how.authenticated
                  ? { authentication_flow: "challenge", result: "authenticated" }
                  : null,
              },
            }
          : { type, [type]: {} },
      receipt_url: null,
      refunded: false,
      status: paid ? "succeeded" : "failed",
      transfer_group: paymentIntent.transfer_group,
    });
  }
}
