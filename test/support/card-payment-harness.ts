import { randomUUID } from "node:crypto";

import type pg from "pg";
import Stripe from "stripe";

import type { AccessTokens } from "../../api/src/auth/access-tokens.js";
import { createLocalStripeServer } from "../../scripts/local-stripe/create-local-stripe-server.js";
import type { LocalStripeServer } from "../../scripts/local-stripe/create-local-stripe-server.js";
import { startApiApp } from "./api-app.js";
import type { ApiAppOptions, ApiTestApp } from "./api-app.js";
import { insertEscrowTerms, insertFarm, insertProduct, insertUser, installIndexerSchema } from "./cart-fixtures.js";
import { farmOwner, fillCart } from "./order-fixtures.js";

/** The webhook signing secret the test API and the local Stripe share. */
export const CARD_WEBHOOK_SECRET = "whsec_card_payments_test_secret";

/** What card tests do against a running API, whichever way it runs (in this process or its own). */
export interface CardShop {
  /** A signed-in user with these roles: its id and bearer token. */
  actor(roles: ("buyer" | "farmer" | "arbiter" | "admin")[]): Promise<{ id: string; bearer: string }>;
  /** A farm with its owner's bearer token, and one product of it. */
  farm(product: { priceMinor: number; stock: number }): Promise<{
    id: string;
    ownerId: string;
    ownerBearer: string;
    productId: string;
  }>;
  /** A card checkout of the lines by a new buyer: the response body, the buyer and the session id it stored. */
  checkout(lines: { productId: string; quantity: number }[]): Promise<{
    buyer: { id: string; bearer: string };
    body: CardCheckoutBody;
    sessionId: string;
  }>;
  /** Resolves once every webhook delivery (retries included) has been answered. */
  settle(): Promise<void>;
  /** One order as an admin sees it (status, flags, timeline). */
  order(orderId: string): Promise<OrderBody>;
  call(
    path: string,
    bearer: string | undefined,
    method?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
}

export interface CardHarness extends CardShop {
  api: ApiTestApp;
  local: LocalStripeServer;
  /** The real SDK against the local Stripe, as a dashboard user or the bank would act. */
  stripe: Stripe;
  close(): Promise<void>;
}

export interface CardCheckoutBody {
  checkoutId: string;
  card: { redirectUrl: string | null };
  orders: { id: string; totalMinor: number; feeMinor: number }[];
}

export interface OrderBody {
  id: string;
  status: string;
  totalMinor: number;
  feeMinor: number;
  paidAt: string | null;
  flags: { kind: string; details: Record<string, unknown>; resolvedAt: string | null }[];
  timeline: { kind: string; data: Record<string, unknown> }[];
}

const CARD_SECRET_KEY = "sk_test_card_harness";

export interface LocalStripeForApi {
  local: LocalStripeServer;
  /** The API environment that points its real Stripe SDK at the local server. */
  apiEnv: (webAppUrl: string) => Record<string, string>;
  /** Sends the local server's signed webhooks to the API at `apiUrl`. */
  deliverTo: (apiUrl: string) => void;
  /** The real SDK against the local Stripe, as a dashboard user or the bank would act. */
  stripe: Stripe;
}

/** A local Stripe whose webhook retries come fast (50 ms) so failed deliveries settle, for an API to be wired to. */
export async function startLocalStripeForApi(): Promise<LocalStripeForApi> {
  const local = await createLocalStripeServer({
    webhookRetry: { baseDelayMs: 50, maxDelayMs: 400, maxAttempts: 10 },
    expirySweepMs: 0,
  });
  return {
    local,
    apiEnv: (webAppUrl) => cardApiEnv(local, webAppUrl),
    deliverTo: (apiUrl) => {
      local.addWebhookEndpoint({ url: `${apiUrl}/api/stripe/webhook`, secret: CARD_WEBHOOK_SECRET });
    },
    stripe: new Stripe(CARD_SECRET_KEY, { ...local.stripeConfig, maxNetworkRetries: 0 }),
  };
}

/**
 * A real API on a free port and a local Stripe delivering signed webhooks to it over HTTP, with the platform fee
 * known (250 bps) and the escrow's confirm window one hour.
 */
export async function startCardHarness(options: ApiAppOptions = {}): Promise<CardHarness> {
  const { local, apiEnv, deliverTo, stripe } = await startLocalStripeForApi();
  const api = await startApiApp({
    store: "redis",
    rateLimitPolicies: { default: { limit: 1_000_000, windowMs: 60_000 } },
    ...options,
    env: { ...apiEnv("http://shop.agridao.test"), ...options.env },
  });
  deliverTo(api.url);
  await prepareCardDatabase(api.database.pool);
  const shop = createCardShop({
    request: (path, init) => api.request(path, init),
    pool: api.database.pool,
    accessTokens: api.accessTokens,
    local,
  });
  const harness: CardHarness = {
    ...shop,
    api,
    local,
    stripe,
    async close() {
      await local.waitForWebhooksIdle(5_000).catch(() => undefined);
      await api.close();
      await local.close();
    },
  };
  return harness;
}

/** The API's Stripe settings for the local Stripe: its key, the shared webhook secret, and where checkouts return. */
export function cardApiEnv(
  local: Pick<LocalStripeServer, "url">,
  webAppUrl = "http://shop.agridao.test",
): Record<string, string> {
  return {
    STRIPE_SECRET_KEY: CARD_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: CARD_WEBHOOK_SECRET,
    STRIPE_API_URL: local.url,
    WEB_APP_URL: webAppUrl,
  };
}

/** What the API expects of the indexer's side of a shared database: its schema and escrow terms (fee 250 bps). */
export async function prepareCardDatabase(pool: pg.Pool): Promise<void> {
  await installIndexerSchema(pool);
  await insertEscrowTerms(pool, { chainId: 31337, firstOrderId: 0, feeBps: 250 });
}

/**
 * The card test actions against an API reached through `request`, whose database `pool` reaches and whose tokens
 * `accessTokens` signs; `settle` waits up to `settleTimeoutMs` (default 20 s) for `local`'s webhooks.
 */
export function createCardShop(deps: {
  request: (path: string, init?: RequestInit) => Promise<Response>;
  pool: pg.Pool;
  accessTokens: AccessTokens;
  local: LocalStripeServer;
  settleTimeoutMs?: number;
}): CardShop {
  const { request, pool, accessTokens, local } = deps;
  const shop: CardShop = {
    async actor(roles) {
      const id = await insertUser(pool, roles);
      const { token } = await accessTokens.issue({ id, roles });
      return { id, bearer: token };
    },
    async farm(product) {
      const id = await insertFarm(pool, `Farm ${randomUUID().slice(0, 6)}`);
      const ownerId = await farmOwner(pool, id);
      const { token } = await accessTokens.issue({ id: ownerId, roles: ["buyer", "farmer"] });
      const productId = await insertProduct(pool, id, product);
      return { id, ownerId, ownerBearer: token, productId };
    },
    async checkout(lines) {
      const buyer = await shop.actor(["buyer"]);
      await fillCart(pool, buyer.id, lines);
      const response = await shop.call(
        "/api/checkout",
        buyer.bearer,
        "POST",
        { paymentMethod: "card" },
        {
          "Idempotency-Key": randomUUID(),
        },
      );
      const body = (await response.json()) as CardCheckoutBody;
      if (response.status !== 201) throw new Error(`checkout failed: ${response.status} ${JSON.stringify(body)}`);
      const { rows } = await pool.query<{ stripe_session_id: string }>(
        "SELECT stripe_session_id FROM checkouts WHERE id = $1",
        [body.checkoutId],
      );
      return { buyer, body, sessionId: rows[0].stripe_session_id };
    },
    settle: () => local.waitForWebhooksIdle(deps.settleTimeoutMs ?? 20_000),
    async order(orderId) {
      const admin = await shop.actor(["admin"]);
      const response = await shop.call(`/api/orders/${orderId}`, admin.bearer);
      if (response.status !== 200) throw new Error(`GET order: ${response.status}`);
      return (await response.json()) as OrderBody;
    },
    call(path, bearer, method = "GET", body, headers: Record<string, string> = {}) {
      return request(path, {
        method,
        headers: {
          ...(bearer === undefined ? {} : { Authorization: `Bearer ${bearer}` }),
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
  };
  return shop;
}
