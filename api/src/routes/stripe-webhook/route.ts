import type { Middleware } from "koa";

import type { StripeWebhooks } from "../../card-payments/stripe-webhooks.js";
import { PayloadTooLargeError, ServiceUnavailableError } from "../../errors.js";
import type { ApiState } from "../../http/api-context.js";
import type { HandWrittenOperation } from "../../http/build-openapi-document.js";

/** Where Stripe delivers events (the endpoint registered in Stripe's dashboard or with the local stand-in). */
export const STRIPE_WEBHOOK_PATH = "/api/stripe/webhook";

/** The webhook in the OpenAPI document: its body is checked as raw bytes, so it is described here by hand. */
export const STRIPE_WEBHOOK_OPERATION: HandWrittenOperation = {
  path: STRIPE_WEBHOOK_PATH,
  method: "post",
  operation: {
    operationId: "postApiStripeWebhook",
    summary: "Stripe's event deliveries (for Stripe only)",
    description:
      "Verified against STRIPE_WEBHOOK_SECRET on the exact bytes sent (300 s tolerance), stored once by event id and " +
      "applied from Stripe's current state, so duplicates and any arrival order are safe.",
    tags: ["payments"],
    parameters: [{ name: "Stripe-Signature", in: "header", required: true, schema: { type: "string" } }],
    requestBody: { required: true, content: { "application/json": { schema: { type: "object" } } } },
    responses: {
      200: {
        description: "Applied now or before",
        content: {
          "application/json": {
            schema: {
              type: "object",
              properties: {
                received: { const: true },
                eventId: { type: "string" },
                duplicate: { type: "boolean" },
              },
              required: ["received", "eventId", "duplicate"],
            },
          },
        },
      },
      400: "Forged or stale signature; nothing was stored",
      413: "Larger than an event can be",
      500: "Applying failed; the event is stored and applied on redelivery or by reconciliation",
      503: "Webhooks are not configured (STRIPE_WEBHOOK_SECRET)",
    },
  },
};

/** Stripe's events are a few kilobytes; a megabyte leaves room for the largest (a session with many lines). */
const MAX_BYTES = 1024 * 1024;

/**
 * POST /api/stripe/webhook, as middleware mounted before the body parser: the signature covers the exact bytes Stripe
 * sent, so the body is read raw here and never parsed and re-serialized first. 200 once the event is applied (or was
 * before), 400 for a forged or stale signature (nothing stored), 503 without STRIPE_WEBHOOK_SECRET, 500 when applying
 * failed: the event stays stored and Stripe's redelivery (or the reconcile command) applies it.
 */
export function stripeWebhookRoute(webhooks: StripeWebhooks | undefined): Middleware<ApiState> {
  return async (ctx, next) => {
    if (ctx.path !== STRIPE_WEBHOOK_PATH || ctx.method !== "POST") {
      await next();
      return;
    }
    ctx.state.routePattern = STRIPE_WEBHOOK_PATH;
    if (webhooks === undefined) {
      throw new ServiceUnavailableError("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)");
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BYTES) throw new PayloadTooLargeError("1mb");
      chunks.push(chunk);
    }
    const { eventId, duplicate } = await webhooks.receive(Buffer.concat(chunks), ctx.get("Stripe-Signature"));
    ctx.status = 200;
    ctx.body = { received: true, eventId, duplicate };
  };
}
