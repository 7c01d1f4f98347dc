import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { createApiRoutes } from "./api-routes.js";
import { CardPayments } from "./card-payments.js";
import { CheckoutSessions } from "./checkout-sessions.js";
import { ConnectedAccounts } from "./connected-accounts.js";
import { Disputes } from "./disputes.js";
import { parseFormParams } from "./form-params.js";
import { handleHostedPage } from "./hosted-pages.js";
import { IdempotencyCache } from "./idempotency-cache.js";
import {
  handleLocalControl,
  type InjectedFault,
  type LocalStripeControls,
  type RequestHold,
} from "./local-controls.js";
import { LocalStripeError } from "./local-stripe-error.js";
import { LocalStripeStore } from "./local-stripe-store.js";
import { Refunds } from "./refunds.js";
import { stripeId } from "./stripe-id.js";
import { Transfers } from "./transfers.js";
import { WebhookDeliveries, type WebhookRetryPolicy } from "./webhook-deliveries.js";
import { WebhookEndpoints } from "./webhook-endpoints.js";

export interface LocalStripeServerOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  /** Base URL of hosted pages (`session.url`, account links) when it differs from where the server listens. */
  publicUrl?: string;
  /** When set, only this secret key is accepted; otherwise any `sk_test_…`/`rk_test_…` key. */
  apiKey?: string;
  /** A webhook endpoint registered from the start (all event types). */
  webhook?: { url: string; secret: string };
  webhookRetry?: Partial<WebhookRetryPolicy>;
  /** How often open sessions are checked against `expires_at` on the local clock; 0 turns it off. */
  expirySweepMs?: number;
  log?: (line: string) => void;
}

/** A running local Stripe: where it listens, what to pass to `new Stripe(key, …)`, and its test controls. */
export interface LocalStripeServer extends LocalStripeControls {
  url: string;
  port: number;
  /** `host`, `port` and `protocol` for the real SDK's constructor. */
  stripeConfig: { host: string; port: number; protocol: "http" };
  /** The endpoint registered from `options.webhook`, if any. */
  webhookEndpointId: string | undefined;
  close(): Promise<void>;
}

const DEFAULT_RETRY: WebhookRetryPolicy = { maxAttempts: 8, baseDelayMs: 1_000, maxDelayMs: 60_000 };
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Starts a Stripe-compatible HTTP server for tests and the dev stack, a local stand-in for api.stripe.com: the real
 * `stripe` SDK talks to it through its `host`/`port`/`protocol` options. All state is in memory and lost on close.
 */
export async function createLocalStripeServer(options: LocalStripeServerOptions = {}): Promise<LocalStripeServer> {
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? (() => {});
  const retry = { ...DEFAULT_RETRY, ...options.webhookRetry };
  const httpServer = createServer();
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const publicUrl = (options.publicUrl ?? url).replace(/\/$/, "");

  // The store hands each event to delivery; events only happen once requests arrive, after both exist.
  const store: LocalStripeStore = new LocalStripeStore((event): number => deliveries.enqueue(event));
  const webhookEndpoints = new WebhookEndpoints(store);
  const deliveries: WebhookDeliveries = new WebhookDeliveries(webhookEndpoints, retry, log);
  const sessions = new CheckoutSessions(store, publicUrl);
  const disputes = new Disputes(store);
  const payments = new CardPayments(store, sessions, disputes);
  const refunds = new Refunds(store);
  const transfers = new Transfers(store);
  const accounts = new ConnectedAccounts(store, publicUrl);
  const api = createApiRoutes({ store, sessions, payments, refunds, transfers, accounts, disputes, webhookEndpoints });
  const idempotency = new IdempotencyCache();
  const faults: Array<InjectedFault & { count: number; pathPrefix: string }> = [];
  let holds: { matches: (method: string, path: string) => boolean; afterHandling: boolean } | undefined;
  let held: Array<() => void> = [];
  const webhookEndpointId = options.webhook === undefined ? undefined : webhookEndpoints.add(options.webhook).id;

  const controls: LocalStripeControls = {
    pauseWebhooks: () => deliveries.pause(),
    releaseWebhooks: (seed) => deliveries.release(seed),
    setDuplicateDelivery: (on) => deliveries.setDuplicateDelivery(on),
    redeliverEvent: (eventId, redelivery) => deliveries.redeliver(store.event(eventId), redelivery),
    waitForWebhooksIdle: (timeoutMs) => deliveries.waitForIdle(timeoutMs),
    webhookAttempts: () => [...deliveries.attempts],
    advanceClock: (seconds) => {
      store.advanceClock(seconds);
      return sessions.expireDue();
    },
    now: () => store.now(),
    paySession: (sessionId, card) => {
      const outcome = payments.pay(sessionId, card);
      if (outcome.status !== "requires_action" || card.threeDSecure === undefined) return outcome;
      return payments.authenticate(outcome.paymentIntent, card.threeDSecure);
    },
    payDelayed: (sessionId, result) => payments.payDelayed(sessionId, result),
    openDispute: (chargeOrPaymentIntent, dispute) => disputes.open(chargeOrPaymentIntent, dispute),
    closeDispute: (disputeId, status) => disputes.close(disputeId, status),
    failRefund: (refundId) => refunds.fail(refundId),
    completeAccountOnboarding: (accountId) => accounts.completeOnboarding(accountId),
    failNextRequest: (fault) =>
      faults.push({ ...fault, count: fault.count ?? 1, pathPrefix: fault.pathPrefix ?? "/v1" }),
    holdRequests: ({ method, pathPrefix = "/v1", afterHandling = false }: RequestHold) => {
      holds = {
        matches: (requestMethod, path) =>
          path.startsWith(pathPrefix) && (method === undefined || method.toUpperCase() === requestMethod),
        afterHandling,
      };
    },
    releaseRequests: () => {
      holds = undefined;
      const waiting = held;
      held = [];
      for (const handle of waiting) handle();
      return waiting.length;
    },
    heldRequestCount: () => held.length,
    addWebhookEndpoint: (target) => {
      const added = webhookEndpoints.add(target);
      return { id: added.id, secret: added.secret };
    },
  };

  /** Takes one use of the first fault matching `path`, if any. */
  const takeFault = (path: string): InjectedFault | undefined => {
    const faultIndex = faults.findIndex((fault) => path.startsWith(fault.pathPrefix));
    if (faultIndex < 0) return undefined;
    const fault = faults[faultIndex];
    fault.count -= 1;
    if (fault.count === 0) faults.splice(faultIndex, 1);
    return fault;
  };

  /** Handles one API request and answers it through `send` (which may hold or drop the answer). */
  const handleApi = (
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: string,
    body: string,
    send: (status: number, body: unknown) => void,
  ) => {
    const requestId = stripeId("req");
    response.setHeader("request-id", requestId);
    response.setHeader("stripe-version", String(request.headers["stripe-version"] ?? ""));
    const method = request.method ?? "GET";
    const key = authenticate(request.headers.authorization, options.apiKey);
    const fault = takeFault(path);
    if (fault !== undefined && !("dropResponse" in fault)) {
      response.setHeader("stripe-should-retry", String(fault.shouldRetry ?? false));
      throw faultError(fault.status, fault.code, fault.message);
    }
    if (fault !== undefined) {
      // Handled in full (and kept for its idempotency key), then the answer is lost on the way back.
      send = () => response.socket?.destroy();
    }
    const params = parseFormParams(method === "POST" ? body : query);
    const idempotencyKey = method === "POST" ? headerValue(request.headers["idempotency-key"]) : undefined;
    const scope = `${key}|${headerValue(request.headers["stripe-account"]) ?? ""}`;
    const fingerprint = `${method} ${path} ${JSON.stringify(params)}`;
    if (idempotencyKey !== undefined) {
      const saved = idempotency.lookup(scope, idempotencyKey, fingerprint);
      if (saved !== undefined) {
        response.setHeader("idempotent-replayed", "true");
        send(saved.status, saved.body);
        return;
      }
    }
    store.currentRequest = { id: requestId, idempotency_key: idempotencyKey ?? null };
    let status = 200;
    let result;
    let executed = true;
    try {
      result = api(method, path, params);
    } catch (error) {
      if (!(error instanceof LocalStripeError)) throw error;
      status = error.status;
      executed = error.fields.beforeExecution !== true;
      result = { body: error.body() };
    } finally {
      store.currentRequest = { id: null, idempotency_key: null };
    }
    if (idempotencyKey !== undefined) {
      response.setHeader("idempotency-key", idempotencyKey);
      if (executed) idempotency.save(scope, idempotencyKey, fingerprint, { status, body: result.body });
    }
    send(status, result.body);
    if (result.afterResponse !== undefined) setImmediate(result.afterResponse);
  };

  httpServer.on("request", (request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const requestUrl = new URL(request.url ?? "/", "http://local");
      const path = requestUrl.pathname;
      try {
        const body = await readBody(request);
        if (path.startsWith("/v1/")) {
          const hold = holds?.matches(request.method ?? "GET", path) === true ? holds : undefined;
          if (hold !== undefined && !hold.afterHandling) await new Promise<void>((resolve) => held.push(resolve));
          const send =
            hold?.afterHandling === true
              ? (status: number, answer: unknown) => held.push(() => sendJson(response, status, answer))
              : (status: number, answer: unknown) => sendJson(response, status, answer);
          handleApi(request, response, path, requestUrl.search.slice(1), body, send);
        } else if (path.startsWith("/_local/")) {
          const json = body === "" ? undefined : parseJson(body);
          const answer = await handleLocalControl(controls, request.method ?? "GET", path, json);
          sendJson(response, answer.status, answer.body);
        } else {
          const pageResponse = handleHostedPage(
            { store, sessions, payments, accounts },
            request.method ?? "GET",
            path,
            new URLSearchParams(body),
          );
          if (pageResponse === undefined) {
            sendJson(
              response,
              404,
              LocalStripeError.invalidRequest(`Unrecognized request URL (${request.method}: ${path}).`).body(),
            );
          } else {
            response.writeHead(pageResponse.status, pageResponse.headers).end(pageResponse.body);
          }
        }
      } catch (error) {
        if (error instanceof LocalStripeError) {
          sendJson(response, error.status, error.body());
          return;
        }
        log(
          `local stripe: ${request.method} ${path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        if (!response.headersSent) {
          sendJson(
            response,
            500,
            new LocalStripeError(500, "api_error", "An unexpected error occurred in the local Stripe.").body(),
          );
        }
      }
    })();
  });

  const sweep =
    (options.expirySweepMs ?? 1_000) > 0
      ? setInterval(() => sessions.expireDue(), options.expirySweepMs ?? 1_000).unref()
      : undefined;

  return {
    ...controls,
    url,
    port,
    stripeConfig: { host, port, protocol: "http" },
    webhookEndpointId,
    close: async () => {
      clearInterval(sweep);
      deliveries.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve, reject) => httpServer.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** The request's secret key; Stripe's 401 when it is missing, live, or not the configured one. */
function authenticate(authorization: string | undefined, expected: string | undefined): string {
  const key = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1];
  if (key === undefined) {
    throw new LocalStripeError(
      401,
      "invalid_request_error",
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  const acceptable = expected === undefined ? /^(sk|rk)_test_\w+$/.test(key) : key === expected;
  if (!acceptable) {
    throw new LocalStripeError(
      401,
      "invalid_request_error",
      `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}`,
      {
        code: "api_key_invalid",
      },
    );
  }
  return key;
}

function faultError(status: number, code?: string, message?: string): LocalStripeError {
  if (code !== undefined || message !== undefined) {
    const type = status === 402 ? "card_error" : status < 500 ? "invalid_request_error" : "api_error";
    return new LocalStripeError(status, type, message ?? `Injected failure (${status}).`, {
      ...(code === undefined ? {} : { code }),
    });
  }
  if (status === 429) {
    return new LocalStripeError(429, "invalid_request_error", "Too many requests hit the API too quickly.", {
      code: "rate_limit",
    });
  }
  if (status === 402)
    return new LocalStripeError(402, "card_error", "Your card was declined.", { code: "card_declined" });
  if (status < 500) return new LocalStripeError(status, "invalid_request_error", `Injected failure (${status}).`);
  return new LocalStripeError(status, "api_error", "An unknown error occurred (injected by the local Stripe).");
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw LocalStripeError.invalidRequest("Controls under /_local take a JSON body.");
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-cache, no-store" });
  response.end(JSON.stringify(body, null, 2));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw LocalStripeError.invalidRequest("Request body too large.");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
