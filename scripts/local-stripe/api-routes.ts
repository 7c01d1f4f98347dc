import { z } from "zod";

import type { CardPayments } from "./card-payments.js";
import type { CheckoutSessions } from "./checkout-sessions.js";
import type { ConnectedAccounts } from "./connected-accounts.js";
import type { Disputes } from "./disputes.js";
import type { FormParams } from "./form-params.js";
import { LocalStripeError } from "./local-stripe-error.js";
import type { LocalStripeStore, StripeObject } from "./local-stripe-store.js";
import type { Refunds } from "./refunds.js";
import { expandParam, listParams, parseStripeParams } from "./stripe-params.js";
import type { Transfers } from "./transfers.js";
import type { WebhookEndpoints } from "./webhook-endpoints.js";

/** The resources behind the `/v1` API. */
export interface ApiResources {
  store: LocalStripeStore;
  sessions: CheckoutSessions;
  payments: CardPayments;
  refunds: Refunds;
  transfers: Transfers;
  accounts: ConnectedAccounts;
  disputes: Disputes;
  webhookEndpoints: WebhookEndpoints;
}

/** What an API call produced, and work to run once its response is sent (events Stripe sends a moment later). */
export interface ApiResult {
  body: unknown;
  afterResponse?: () => void;
}

type Handler = (params: FormParams, ids: string[]) => ApiResult;

const retrieveSchema = z.strictObject({ expand: expandParam });

/** Maps `METHOD /v1/...` to the resource that answers it; an unknown path is Stripe's 404. */
export function createApiRoutes(
  resources: ApiResources,
): (method: string, path: string, params: FormParams) => ApiResult {
  const { store, sessions, refunds, transfers, accounts, disputes, webhookEndpoints } = resources;
  const retrieve =
    (objectName: string): Handler =>
    (params, [id]) => {
      const { expand } = parseStripeParams(retrieveSchema, params);
      return { body: expanded(store, sessions, store.get(objectName, id), expand) };
    };
  const listOf =
    (objectName: string, url: string, filters: Record<string, string> = {}): Handler =>
    (params) => {
      const query = parseStripeParams(
        z.strictObject({
          ...listParams,
          ...Object.fromEntries(Object.keys(filters).map((key) => [key, z.string().optional()])),
        }),
        params,
      );
      const items = store.all(objectName).filter((item) =>
        Object.entries(filters).every(([param, field]) => {
          const wanted = (query as Record<string, unknown>)[param];
          return wanted === undefined || item[field] === wanted;
        }),
      );
      return { body: store.list(url, items, query) };
    };
  const withExpand =
    (make: (params: FormParams, ids: string[]) => StripeObject): Handler =>
    (params, ids) => {
      const { expand, ...rest } = params;
      const parsedExpand = parseStripeParams(retrieveSchema, expand === undefined ? {} : { expand });
      return { body: expanded(store, sessions, make(rest, ids), parsedExpand.expand) };
    };

  const routes: Array<[string, RegExp, Handler]> = [
    ["POST", /^\/v1\/checkout\/sessions$/, withExpand((params) => sessions.create(params))],
    ["GET", /^\/v1\/checkout\/sessions$/, (params) => ({ body: sessions.list(params) })],
    ["GET", /^\/v1\/checkout\/sessions\/([^/]+)$/, retrieve("checkout.session")],
    ["POST", /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/, withExpand((_, [id]) => sessions.expire(id))],
    [
      "GET",
      /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/,
      (params, [id]) => ({ body: sessions.lineItems(id, params) }),
    ],
    ["GET", /^\/v1\/payment_intents$/, listOf("payment_intent", "/v1/payment_intents")],
    ["GET", /^\/v1\/payment_intents\/([^/]+)$/, retrieve("payment_intent")],
    [
      "GET",
      /^\/v1\/charges$/,
      listOf("charge", "/v1/charges", { payment_intent: "payment_intent", transfer_group: "transfer_group" }),
    ],
    ["GET", /^\/v1\/charges\/([^/]+)$/, retrieve("charge")],
    [
      "POST",
      /^\/v1\/refunds$/,
      (params) => {
        const { expand, ...rest } = params;
        const refund = refunds.create(rest);
        const parsedExpand = parseStripeParams(retrieveSchema, expand === undefined ? {} : { expand });
        return {
          body: expanded(store, sessions, refund, parsedExpand.expand),
          afterResponse: () => refunds.settle(refund.id),
        };
      },
    ],
    ["GET", /^\/v1\/refunds$/, (params) => ({ body: refunds.list(params) })],
    ["GET", /^\/v1\/refunds\/([^/]+)$/, retrieve("refund")],
    ["POST", /^\/v1\/transfers$/, withExpand((params) => transfers.create(params))],
    ["GET", /^\/v1\/transfers$/, (params) => ({ body: transfers.list(params) })],
    ["GET", /^\/v1\/transfers\/([^/]+)$/, retrieve("transfer")],
    ["POST", /^\/v1\/transfers\/([^/]+)\/reversals$/, withExpand((params, [id]) => transfers.reverse(id, params))],
    [
      "GET",
      /^\/v1\/transfers\/([^/]+)\/reversals$/,
      (params, [id]) => ({
        body: store.list(
          `/v1/transfers/${id}/reversals`,
          store.all("transfer_reversal").filter((reversal) => reversal.transfer === transfers.get(id).id),
          parseStripeParams(z.strictObject(listParams), params),
        ),
      }),
    ],
    ["POST", /^\/v1\/accounts$/, withExpand((params) => accounts.create(params))],
    ["GET", /^\/v1\/accounts\/([^/]+)$/, retrieve("account")],
    ["POST", /^\/v1\/account_links$/, (params) => ({ body: accounts.createLink(params) })],
    ["GET", /^\/v1\/disputes$/, (params) => ({ body: disputes.list(params) })],
    ["GET", /^\/v1\/disputes\/([^/]+)$/, retrieve("dispute")],
    ["POST", /^\/v1\/disputes\/([^/]+)\/close$/, withExpand((_, [id]) => disputes.close(id, "lost"))],
    [
      "GET",
      /^\/v1\/events$/,
      (params) => {
        const query = parseStripeParams(
          z.strictObject({ ...listParams, type: z.string().optional(), types: z.array(z.string()).optional() }),
          params,
        );
        const matches = (type: string, pattern: string) =>
          pattern.endsWith(".*") ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
        const events = store
          .eventList()
          .filter(
            (event) =>
              (query.type === undefined || matches(event.type, query.type)) &&
              (query.types === undefined || query.types.some((type) => matches(event.type, type))),
          );
        return { body: store.list("/v1/events", events, query) };
      },
    ],
    [
      "GET",
      /^\/v1\/events\/([^/]+)$/,
      (params, [id]) => {
        parseStripeParams(retrieveSchema, params);
        return { body: store.event(id) };
      },
    ],
    ["POST", /^\/v1\/webhook_endpoints$/, (params) => ({ body: webhookEndpoints.create(params) })],
    ["GET", /^\/v1\/webhook_endpoints$/, (params) => ({ body: webhookEndpoints.list(params) })],
    ["GET", /^\/v1\/webhook_endpoints\/([^/]+)$/, retrieve("webhook_endpoint")],
    ["DELETE", /^\/v1\/webhook_endpoints\/([^/]+)$/, (_, [id]) => ({ body: webhookEndpoints.delete(id) })],
  ];

  return (method, path, params) => {
    for (const [routeMethod, pattern, handler] of routes) {
      const match = pattern.exec(path);
      if (match && routeMethod === method) return handler(params, match.slice(1).map(decodeURIComponent));
    }
    throw new LocalStripeError(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path}).`);
  };
}

/** A copy of `object` with each `expand` path's id replaced by the object it names, as Stripe's `expand[]` does. */
function expanded(
  store: LocalStripeStore,
  sessions: CheckoutSessions,
  object: StripeObject,
  expand: string[] | undefined,
): StripeObject {
  const copy = structuredClone(object);
  for (const path of expand ?? []) {
    if (copy.object === "checkout.session" && path === "line_items") {
      copy.line_items = sessions.lineItems(copy.id, { limit: "100" });
      continue;
    }
    expandPath(store, copy, path.split("."), path);
  }
  return copy;
}

function expandPath(store: LocalStripeStore, node: Record<string, unknown>, parts: string[], path: string): void {
  const [field, ...rest] = parts;
  const value = node[field];
  if (value === null) return;
  if (typeof value === "string") {
    const target = store.byId(value);
    if (target === undefined) {
      throw LocalStripeError.invalidRequest(`This property cannot be expanded (${path}).`, { param: "expand" });
    }
    node[field] = structuredClone(target);
  } else if (typeof value !== "object") {
    throw LocalStripeError.invalidRequest(`This property cannot be expanded (${path}).`, { param: "expand" });
  }
  if (rest.length > 0) expandPath(store, node[field] as Record<string, unknown>, rest, path);
}
