import { z } from "zod";

import type { PaymentOutcome } from "./card-payments.js";
import type { DisputeReason } from "./disputes.js";
import { LocalStripeError } from "./local-stripe-error.js";
import type { StripeObject } from "./local-stripe-store.js";
import type { DeliveryAttempt, RedeliveryOptions } from "./webhook-deliveries.js";

/**
 * A fault for the next matching `/v1` request(s): answered with an error instead of being handled, or (`dropResponse`)
 * handled and then left without an answer, the connection closed, as when a response is lost on the way back.
 */
export type InjectedFault = {
  /** How many requests fail (default 1). */
  count?: number;
  /** Only requests whose path starts with this (`/v1/refunds`) fail; default any `/v1` request. */
  pathPrefix?: string;
} & (
  | {
      status: number;
      /** Stripe's error code in the body (`balance_insufficient`), for a 4xx; a generic one otherwise. */
      code?: string;
      /** The error's message; a generic one otherwise. */
      message?: string;
      /** Whether the response invites the SDK to retry (`Stripe-Should-Retry`); default false. */
      shouldRetry?: boolean;
    }
  | { dropResponse: true }
);

/**
 * Which API requests to hold: those of `method` (default any) whose path starts with `pathPrefix`. Held before they
 * are handled (a slow Stripe), or with `afterHandling` once handled with the answer not yet sent (Stripe did the work;
 * the caller has not heard).
 */
export interface RequestHold {
  method?: string;
  /** Default any `/v1` request. */
  pathPrefix?: string;
  afterHandling?: boolean;
}

/** Test controls: what Stripe, a bank or a buyer would do, on demand. Mirrored over HTTP under `/_local`. */
export interface LocalStripeControls {
  /** Holds webhook deliveries until `releaseWebhooks`. */
  pauseWebhooks(): void;
  /** Sends the held deliveries in an order shuffled by `seed`; resolves with the event ids in that order. */
  releaseWebhooks(seed: number): Promise<string[]>;
  /** While on, every event reaches each endpoint twice. */
  setDuplicateDelivery(on: boolean): void;
  /** Sends an event again (one attempt), optionally signed stale or with another secret; each endpoint's status. */
  redeliverEvent(
    eventId: string,
    options?: RedeliveryOptions,
  ): Promise<Array<{ endpointId: string; status: number | null }>>;
  /** Resolves when no delivery is in flight or waiting for a retry. */
  waitForWebhooksIdle(timeoutMs?: number): Promise<void>;
  /** Every delivery attempt so far, oldest first. */
  webhookAttempts(): DeliveryAttempt[];
  /** Moves the local clock forward and expires the sessions that passed `expires_at`; their ids. */
  advanceClock(seconds: number): string[];
  /** Unix seconds on the local clock. */
  now(): number;
  /** Pays a session as the hosted page would, with a test card; `threeDSecure` answers the challenge if one comes. */
  paySession(
    sessionId: string,
    card: { number: string; email?: string; name?: string; threeDSecure?: "complete" | "fail" },
  ): PaymentOutcome;
  /** Completes a session by a delayed (bank debit) payment that then succeeds or fails asynchronously. */
  payDelayed(sessionId: string, result: "succeeded" | "failed"): StripeObject;
  openDispute(chargeOrPaymentIntent: string, options?: { reason?: DisputeReason; amount?: number }): StripeObject;
  closeDispute(disputeId: string, status: "won" | "lost"): StripeObject;
  /** The bank fails a refund after Stripe accepted it (the card was closed): it ends `failed`. */
  failRefund(refundId: string): StripeObject;
  completeAccountOnboarding(accountId: string): StripeObject;
  /**
   * Answers the next matching API request(s) with an error of `status` in Stripe's shape, or handles them and drops
   * the answer (`dropResponse`).
   */
  failNextRequest(fault: InjectedFault): void;
  /**
   * Holds matching API requests unanswered, as a slow Stripe would, until `releaseRequests`: a caller then waits in
   * whatever state it made the request from (an open database transaction, say).
   */
  holdRequests(hold: RequestHold): void;
  /** Stops holding and handles the held requests, in arrival order; how many there were. */
  releaseRequests(): number;
  /** How many API requests are held now. */
  heldRequestCount(): number;
  /** Adds a webhook endpoint; its signing secret is generated unless given. */
  addWebhookEndpoint(target: { url: string; secret?: string; enabledEvents?: string[] }): {
    id: string;
    secret: string;
  };
}

const cardSchema = z.strictObject({
  number: z.string().min(1),
  email: z.string().optional(),
  name: z.string().optional(),
  three_d_secure: z.enum(["complete", "fail"]).optional(),
});

const routes: Array<[string, RegExp, (controls: LocalStripeControls, body: unknown, ids: string[]) => unknown]> = [
  ["POST", /^\/_local\/webhooks\/pause$/, (c) => (c.pauseWebhooks(), { paused: true })],
  [
    "POST",
    /^\/_local\/webhooks\/release$/,
    async (c, body) => ({
      delivered: await c.releaseWebhooks(z.strictObject({ seed: z.number().int() }).parse(body ?? { seed: 1 }).seed),
    }),
  ],
  [
    "POST",
    /^\/_local\/webhooks\/duplicate$/,
    (c, body) => {
      const { enabled } = z.strictObject({ enabled: z.boolean() }).parse(body);
      c.setDuplicateDelivery(enabled);
      return { duplicate: enabled };
    },
  ],
  [
    "POST",
    /^\/_local\/webhooks\/wait-idle$/,
    async (c, body) => {
      const { timeout_ms } = z.strictObject({ timeout_ms: z.number().int().positive().optional() }).parse(body ?? {});
      await c.waitForWebhooksIdle(timeout_ms);
      return { idle: true };
    },
  ],
  ["GET", /^\/_local\/webhooks\/attempts$/, (c) => ({ attempts: c.webhookAttempts() })],
  [
    "POST",
    /^\/_local\/webhooks\/endpoints$/,
    (c, body) => {
      const input = z
        .strictObject({
          url: z.url(),
          secret: z.string().startsWith("whsec_").optional(),
          enabled_events: z.array(z.string()).optional(),
        })
        .parse(body);
      return c.addWebhookEndpoint({
        url: input.url,
        ...(input.secret === undefined ? {} : { secret: input.secret }),
        ...(input.enabled_events === undefined ? {} : { enabledEvents: input.enabled_events }),
      });
    },
  ],
  [
    "POST",
    /^\/_local\/events\/([^/]+)\/redeliver$/,
    async (c, body, [id]) => {
      const input = z
        .strictObject({
          endpoint_id: z.string().optional(),
          timestamp_offset_seconds: z.number().int().optional(),
          secret: z.string().optional(),
        })
        .parse(body ?? {});
      return {
        deliveries: await c.redeliverEvent(id, {
          ...(input.endpoint_id === undefined ? {} : { endpointId: input.endpoint_id }),
          ...(input.timestamp_offset_seconds === undefined
            ? {}
            : { timestampOffsetSeconds: input.timestamp_offset_seconds }),
          ...(input.secret === undefined ? {} : { secret: input.secret }),
        }),
      };
    },
  ],
  [
    "POST",
    /^\/_local\/clock\/advance$/,
    (c, body) => {
      const { seconds } = z.strictObject({ seconds: z.number().int().positive() }).parse(body);
      const expired = c.advanceClock(seconds);
      return { now: c.now(), expired_sessions: expired };
    },
  ],
  ["GET", /^\/_local\/clock$/, (c) => ({ now: c.now() })],
  [
    "POST",
    /^\/_local\/checkout\/sessions\/([^/]+)\/pay$/,
    (c, body, [id]) => {
      const card = cardSchema.parse(body);
      return c.paySession(id, {
        number: card.number,
        ...(card.email === undefined ? {} : { email: card.email }),
        ...(card.name === undefined ? {} : { name: card.name }),
        ...(card.three_d_secure === undefined ? {} : { threeDSecure: card.three_d_secure }),
      });
    },
  ],
  [
    "POST",
    /^\/_local\/checkout\/sessions\/([^/]+)\/pay-delayed$/,
    (c, body, [id]) => c.payDelayed(id, z.strictObject({ result: z.enum(["succeeded", "failed"]) }).parse(body).result),
  ],
  [
    "POST",
    /^\/_local\/charges\/([^/]+)\/dispute$/,
    (c, body, [id]) => {
      const input = z
        .strictObject({
          reason: z
            .enum(["fraudulent", "product_not_received", "product_unacceptable", "duplicate", "general"])
            .optional(),
          amount: z.number().int().positive().optional(),
        })
        .parse(body ?? {});
      return c.openDispute(id, input);
    },
  ],
  [
    "POST",
    /^\/_local\/disputes\/([^/]+)\/close$/,
    (c, body, [id]) => c.closeDispute(id, z.strictObject({ status: z.enum(["won", "lost"]) }).parse(body).status),
  ],
  ["POST", /^\/_local\/refunds\/([^/]+)\/fail$/, (c, _, [id]) => c.failRefund(id)],
  ["POST", /^\/_local\/accounts\/([^/]+)\/complete-onboarding$/, (c, _, [id]) => c.completeAccountOnboarding(id)],
  [
    "POST",
    /^\/_local\/faults$/,
    (c, body) => {
      const input = z
        .strictObject({
          status: z.number().int().min(400).max(599).optional(),
          code: z.string().min(1).optional(),
          message: z.string().min(1).optional(),
          drop_response: z.literal(true).optional(),
          count: z.number().int().positive().optional(),
          path_prefix: z.string().startsWith("/v1").optional(),
          should_retry: z.boolean().optional(),
        })
        .refine((fault) => (fault.status === undefined) !== (fault.drop_response === undefined), {
          message: "give either status or drop_response",
        })
        .parse(body);
      const scope = {
        ...(input.count === undefined ? {} : { count: input.count }),
        ...(input.path_prefix === undefined ? {} : { pathPrefix: input.path_prefix }),
      };
      c.failNextRequest(
        input.status === undefined
          ? { ...scope, dropResponse: true }
          : {
              ...scope,
              status: input.status,
              ...(input.code === undefined ? {} : { code: input.code }),
              ...(input.message === undefined ? {} : { message: input.message }),
              ...(input.should_retry === undefined ? {} : { shouldRetry: input.should_retry }),
            },
      );
      return { armed: true };
    },
  ],
  [
    "POST",
    /^\/_local\/requests\/hold$/,
    (c, body) => {
      const input = z
        .strictObject({
          method: z.string().min(1).optional(),
          path_prefix: z.string().startsWith("/v1").optional(),
          after_handling: z.boolean().optional(),
        })
        .parse(body ?? {});
      c.holdRequests({
        ...(input.method === undefined ? {} : { method: input.method }),
        ...(input.path_prefix === undefined ? {} : { pathPrefix: input.path_prefix }),
        ...(input.after_handling === undefined ? {} : { afterHandling: input.after_handling }),
      });
      return { holding: true };
    },
  ],
  ["POST", /^\/_local\/requests\/release$/, (c) => ({ released: c.releaseRequests() })],
  ["GET", /^\/_local\/requests\/held$/, (c) => ({ held: c.heldRequestCount() })],
];

/** Runs a `/_local/...` control from its JSON body; bad input is a 400 in Stripe's error shape. */
export async function handleLocalControl(
  controls: LocalStripeControls,
  method: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  for (const [routeMethod, pattern, run] of routes) {
    const match = pattern.exec(path);
    if (!match || routeMethod !== method) continue;
    try {
      return { status: 200, body: await run(controls, body, match.slice(1).map(decodeURIComponent)) };
    } catch (error) {
      if (error instanceof z.ZodError) {
        const issue = error.issues[0];
        const failure = LocalStripeError.invalidRequest(`Invalid ${issue.path.join(".") || "body"}: ${issue.message}`);
        return { status: 400, body: failure.body() };
      }
      throw error;
    }
  }
  return { status: 404, body: LocalStripeError.invalidRequest(`Unknown control ${method} ${path}`).body() };
}
