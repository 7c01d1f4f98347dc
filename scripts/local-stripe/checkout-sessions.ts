import { z } from "zod";

import type { FormParams } from "./form-params.js";
import { LocalStripeError } from "./local-stripe-error.js";
import type { LocalStripeStore, StripeList, StripeObject } from "./local-stripe-store.js";
import {
  currencyParam,
  expandParam,
  integerParam,
  listParams,
  metadataParam,
  parseStripeParams,
} from "./stripe-params.js";
import { stripeId } from "./stripe-id.js";

const MIN_LIFETIME_SECONDS = 30 * 60;
const MAX_LIFETIME_SECONDS = 24 * 60 * 60;

const createSchema = z.strictObject({
  mode: z.literal("payment", { error: "only `payment` is supported by the local Stripe" }),
  line_items: z
    .array(
      z.strictObject({
        quantity: integerParam.pipe(z.number().int().min(1)),
        price_data: z.strictObject({
          currency: currencyParam,
          unit_amount: integerParam.pipe(z.number().int().min(0)),
          product_data: z.strictObject({
            name: z.string().min(1),
            description: z.string().optional(),
            images: z.array(z.string()).optional(),
            metadata: metadataParam.optional(),
          }),
        }),
      }),
    )
    .min(1),
  currency: currencyParam.optional(),
  success_url: z.string().min(1),
  cancel_url: z.string().min(1).optional(),
  client_reference_id: z.string().max(200).optional(),
  customer_email: z.string().optional(),
  metadata: metadataParam.optional(),
  payment_intent_data: z
    .strictObject({
      metadata: metadataParam.optional(),
      transfer_group: z.string().optional(),
      description: z.string().optional(),
    })
    .optional(),
  payment_method_types: z.array(z.literal("card")).optional(),
  expires_at: integerParam.optional(),
  expand: expandParam,
});

/** What the hosted page and the payment need to know about a session beyond its public object. */
export interface SessionExtras {
  lineItems: StripeObject[];
  paymentIntentData: { metadata: Record<string, string>; transfer_group?: string; description?: string };
}

/** Checkout Sessions: create, retrieve, expire, list, line items; payment happens in card-payments.ts. */
export class CheckoutSessions {
  private readonly extras = new Map<string, SessionExtras>();

  constructor(
    private readonly store: LocalStripeStore,
    private readonly publicUrl: string,
  ) {}

  create(params: FormParams): StripeObject {
    const input = parseStripeParams(createSchema, params);
    const now = this.store.now();
    const currencies = new Set(input.line_items.map((item) => item.price_data.currency));
    if (input.currency !== undefined) currencies.add(input.currency);
    if (currencies.size > 1) {
      throw LocalStripeError.invalidRequest("All line items and the session must use the same currency.", {
        param: "line_items",
      });
    }
    const expiresAt = input.expires_at ?? now + MAX_LIFETIME_SECONDS;
    if (expiresAt < now + MIN_LIFETIME_SECONDS) {
      throw LocalStripeError.invalidRequest(
        "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.",
        { param: "expires_at" },
      );
    }
    if (expiresAt > now + MAX_LIFETIME_SECONDS) {
      throw LocalStripeError.invalidRequest(
        "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
        { param: "expires_at" },
      );
    }
    const currency = [...currencies][0];
    const id = stripeId("cs_test");
    const lineItems = input.line_items.map((item) => {
      const amount = item.price_data.unit_amount * item.quantity;
      return {
        id: stripeId("li"),
        object: "item",
        amount_discount: 0,
        amount_subtotal: amount,
        amount_tax: 0,
        amount_total: amount,
        currency,
        description: item.price_data.product_data.name,
        price: {
          id: stripeId("price"),
          object: "price",
          active: false,
          currency,
          livemode: false,
          metadata: {},
          product: stripeId("prod"),
          type: "one_time",
          unit_amount: item.price_data.unit_amount,
          unit_amount_decimal: String(item.price_data.unit_amount),
        },
        quantity: item.quantity,
        created: now,
      };
    });
    const total = lineItems.reduce((sum, item) => sum + item.amount_total, 0);
    const session = this.store.insert({
      id,
      object: "checkout.session",
      amount_subtotal: total,
      amount_total: total,
      cancel_url: input.cancel_url ?? null,
      client_reference_id: input.client_reference_id ?? null,
      currency,
      customer: null,
      customer_details: null,
      customer_email: input.customer_email ?? null,
      expires_at: expiresAt,
      livemode: false,
      metadata: input.metadata ?? {},
      mode: "payment",
      payment_intent: null,
      payment_method_types: ["card"],
      payment_status: "unpaid",
      status: "open",
      success_url: input.success_url,
      url: `${this.publicUrl}/pay/${id}`,
    });
    this.extras.set(id, {
      lineItems,
      paymentIntentData: {
        metadata: input.payment_intent_data?.metadata ?? {},
        ...(input.payment_intent_data?.transfer_group === undefined
          ? {}
          : { transfer_group: input.payment_intent_data.transfer_group }),
        ...(input.payment_intent_data?.description === undefined
          ? {}
          : { description: input.payment_intent_data.description }),
      },
    });
    return session;
  }

  get(id: string): StripeObject {
    return this.store.get("checkout.session", id);
  }

  extrasOf(id: string): SessionExtras {
    this.get(id);
    return this.extras.get(id)!;
  }

  /** The session's line items, as `GET /v1/checkout/sessions/:id/line_items` lists them. */
  lineItems(id: string, params: FormParams): StripeList {
    const query = parseStripeParams(z.strictObject(listParams), params);
    const items = this.extrasOf(id).lineItems;
    const listed = this.store.list(`/v1/checkout/sessions/${id}/line_items`, items, query);
    // Line items keep the order they were given in, unlike other lists.
    listed.data.sort((a, b) => items.indexOf(a) - items.indexOf(b));
    return listed;
  }

  list(params: FormParams): StripeList {
    const query = parseStripeParams(
      z.strictObject({ ...listParams, payment_intent: z.string().optional(), status: z.string().optional() }),
      params,
    );
    const sessions = this.store
      .all("checkout.session")
      .filter(
        (session) =>
          (query.payment_intent === undefined || session.payment_intent === query.payment_intent) &&
          (query.status === undefined || session.status === query.status),
      );
    return this.store.list("/v1/checkout/sessions", sessions, query);
  }

  /** `POST /v1/checkout/sessions/:id/expire`: only an open session can be expired. */
  expire(id: string): StripeObject {
    const session = this.get(id);
    if (session.status !== "open") {
      throw LocalStripeError.invalidRequest(
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${String(session.status)}".`,
      );
    }
    this.markExpired(session);
    return session;
  }

  /** Expires every open session whose `expires_at` has passed on the local clock; returns their ids. */
  expireDue(): string[] {
    const now = this.store.now();
    const due = this.store
      .all("checkout.session")
      .filter((session) => session.status === "open" && (session.expires_at as number) <= now);
    for (const session of due) this.markExpired(session);
    return due.map((session) => session.id);
  }

  private markExpired(session: StripeObject): void {
    session.status = "expired";
    session.url = null;
    this.store.emit("checkout.session.expired", session, {
      status: "open",
      url: `${this.publicUrl}/pay/${session.id}`,
    });
    // An abandoned session's PaymentIntent (left by a declined attempt) is canceled with it, as on Stripe.
    const paymentIntent =
      typeof session.payment_intent === "string"
        ? this.store.find("payment_intent", session.payment_intent)
        : undefined;
    if (paymentIntent !== undefined && paymentIntent.status !== "succeeded") {
      const previous = { status: paymentIntent.status, canceled_at: null, cancellation_reason: null };
      Object.assign(paymentIntent, {
        status: "canceled",
        canceled_at: this.store.now(),
        cancellation_reason: "abandoned",
      });
      this.store.emit("payment_intent.canceled", paymentIntent, previous);
    }
  }
}
