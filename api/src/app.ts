import { bodyParser } from "@koa/bodyparser";
import cors from "@koa/cors";
import { Router } from "@koa/router";
import type { MikroORM } from "@mikro-orm/postgresql";
import Koa from "koa";
import compress from "koa-compress";
import type { Logger } from "pino";

import { marketplaceEscrowConstants } from "../../protocol/generated/contracts.js";
import type { ApiMetrics } from "./api-metrics.js";
import { createAccessTokens } from "./auth/access-tokens.js";
import type { AccessTokens } from "./auth/access-tokens.js";
import { createAccountRateLimit } from "./auth/account-rate-limit.js";
import { createAuthServices } from "./auth/auth-services.js";
import { createCardPayments } from "./card-payments/card-payments.js";
import type { CardPayments } from "./card-payments/card-payments.js";
import type { CardRulings } from "./card-payments/card-rulings.js";
import { readCardTerms } from "./card-payments/read-card-terms.js";
import { createCartService } from "./cart/cart-service.js";
import { createCatalogCache } from "./catalog/catalog-cache.js";
import { createFarmService } from "./catalog/farm-service.js";
import { createProductPhotoService } from "./catalog/product-photo-service.js";
import { createProductService } from "./catalog/product-service.js";
import { createCheckoutService } from "./checkout/checkout-service.js";
import { createEthPriceFeed } from "./checkout/eth-price-feed.js";
import { paymentInFlightGuardFor } from "./checkout/payment-in-flight-guard.js";
import { paymentStartersFor } from "./checkout/payment-starters-for.js";
import type { PaymentStarters } from "./checkout/payment-starters.js";
import { createPaymentTransactions } from "./checkout/payment-transactions.js";
import type { ApiConfig } from "./config.js";
import { createDisputeService } from "./disputes/dispute-service.js";
import { createEvidencePhotoLinks } from "./disputes/evidence-photo-links.js";
import { ServiceUnavailableError } from "./errors.js";
import { createReleasedPaymentRefund } from "./escrow/released-payment-refund.js";
import { createGovernanceChain } from "./governance/governance-chain.js";
import { createGovernanceService } from "./governance/governance-service.js";
import { createVoteRelayer } from "./governance/vote-relayer.js";
import type { ApiState } from "./http/api-context.js";
import { buildOpenApiDocument } from "./http/build-openapi-document.js";
import type { ApiRoute } from "./http/define-route.js";
import { authenticate } from "./http/middleware/authenticate.js";
import { errorHandler } from "./http/middleware/error-handler.js";
import { etag } from "./http/middleware/etag.js";
import { httpMetrics } from "./http/middleware/http-metrics.js";
import { DEFAULT_RATE_LIMIT_POLICIES, createRateLimit } from "./http/middleware/rate-limit.js";
import type { RateLimitPolicies } from "./http/middleware/rate-limit.js";
import { requestId } from "./http/middleware/request-id.js";
import { securityHeaders } from "./http/middleware/security-headers.js";
import { sharedResponses } from "./http/middleware/shared-responses.js";
import { mountRoutes } from "./http/mount-routes.js";
import { createLiveServices } from "./notifications/live-services.js";
import type { LiveServices } from "./notifications/live-services.js";
import { createStreamTickets } from "./notifications/stream-tickets.js";
import { createReadinessCheck } from "./operations/readiness-check.js";
import { createOrderService } from "./orders/order-service.js";
import { createOrderViews } from "./orders/order-views.js";
import { createDiskPhotoStore } from "./photos/photo-store.js";
import type { PhotoStore } from "./photos/photo-store.js";
import { createAccountRoutes } from "./routes/account/route.js";
import { createAdminOverviewRoutes } from "./routes/admin-overview/route.js";
import { createAdminUserRoutes } from "./routes/admin-users/route.js";
import { createAuthRoutes } from "./routes/auth/route.js";
import { createCardOrderRoutes } from "./routes/card-orders/route.js";
import { createCartRoutes } from "./routes/cart/route.js";
import { createCheckoutRoutes } from "./routes/checkout/route.js";
import { mountEvidencePhotoRoute } from "./routes/disputes/mount-evidence-photo-route.js";
import { createDisputeRoutes } from "./routes/disputes/route.js";
import { DOCS_PATH, mountDocsRoutes } from "./routes/docs/route.js";
import { EVENT_STREAM_OPERATION, createEventRoutes, mountEventStreamRoute } from "./routes/events/route.js";
import { createFarmPayoutRoutes } from "./routes/farm-payouts/route.js";
import { createFarmRoutes } from "./routes/farms/route.js";
import { createGovernanceRoutes } from "./routes/governance/route.js";
import { createHealthRoutes } from "./routes/health/route.js";
import { mountMetricsRoute } from "./routes/metrics/route.js";
import { createNotificationRoutes } from "./routes/notifications/route.js";
import { createOrderRoutes } from "./routes/orders/route.js";
import { createPhotoRoutes, mountPhotoFileRoute } from "./routes/photos/route.js";
import { createProductRoutes } from "./routes/products/route.js";
import { createReconciliationRoutes } from "./routes/reconciliation/route.js";
import { STRIPE_WEBHOOK_OPERATION, stripeWebhookRoute } from "./routes/stripe-webhook/route.js";
import { countedCache } from "./stores/counted-cache.js";
import type { Store } from "./stores/store.js";

export interface AppDeps {
  config: ApiConfig;
  orm: MikroORM;
  /** Redis-backed in production; in-process when REDIS_URL is unset. */
  store: Store;
  log: Logger;
  metrics: ApiMetrics;
  /** Defaults to tokens signed with the configured JWT secret. */
  accessTokens?: AccessTokens;
  /** Overrides of the rate-limit policies (tests use tiny windows). */
  rateLimitPolicies?: Partial<RateLimitPolicies>;
  /** The fetch used to reach the chain RPC (readiness). */
  fetch?: typeof fetch;
  /** Where product and farm photos are kept; defaults to files under UPLOAD_DIR. */
  photoStore?: PhotoStore;
  /** Where dispute evidence photos are kept, never served publicly; defaults to files under EVIDENCE_DIR. */
  evidenceStore?: PhotoStore;
  /** How each payment method starts; defaults to the escrow call builder and the card starter without Stripe. */
  paymentStarters?: Partial<PaymentStarters>;
  /** What card dispute rulings do with the money; defaults to Stripe's when card payments are on, else 503. */
  cardRulings?: CardRulings;
  /** Routes mounted beside the API's own, under the same conventions (tests exercising auth and validation). */
  extraRoutes?: readonly ApiRoute[];
  /** Notifications and event streams; pass them when work outside requests (indexer announcements) uses them too. */
  live?: LiveServices;
  /** Card payments (Stripe); built from the configuration when not given, so main.ts can share them with its jobs. */
  card?: CardPayments;
  /** Aborted when the process shuts down: open event streams are closed so the server can stop. */
  shutdown?: AbortSignal;
}

/** The API as a Koa app: the middleware stack, every route, and the OpenAPI document built from those routes. */
export function createApp(deps: AppDeps): Koa<ApiState> {
  const { config, orm, store, log, metrics } = deps;
  const accessTokens =
    deps.accessTokens ??
    createAccessTokens({
      secret: config.jwt.secret,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ttlSeconds: config.jwt.accessTtlSeconds,
    });
  const rateLimitPolicies = { ...DEFAULT_RATE_LIMIT_POLICIES, ...deps.rateLimitPolicies };
  const enforceRateLimit = createRateLimit({ limiter: store.rateLimiter, policies: rateLimitPolicies, metrics });
  orm.em
    .getConnection()
    .getNativeClient()
    .then(
      (pool) =>
        metrics.observeDatabasePool(() => ({
          used: pool.totalCount - pool.idleCount,
          free: pool.idleCount,
          pending: pool.waitingCount,
        })),
      (error: unknown) => log.warn({ err: error }, "database pool metrics are unavailable"),
    );
  const checkReadiness = createReadinessCheck({
    orm,
    store,
    chainId: config.chainId,
    chainRpcUrl: config.chainRpcUrl,
    maxLagBlocks: config.indexerMaxLagBlocks,
    fetch: deps.fetch,
    onCheckError: (check, error) => log.warn({ err: error, check }, "readiness check failed"),
  });

  const auth = createAuthServices({
    config,
    store,
    accessTokens,
    metrics,
    authRateLimit: rateLimitPolicies.auth,
    fetch: deps.fetch,
  });
  const photoStore = deps.photoStore ?? createDiskPhotoStore({ dir: config.uploadDir });
  const evidencePhotos = {
    evidenceStore: deps.evidenceStore ?? createDiskPhotoStore({ dir: config.disputes.evidenceDir }),
    publicStore: photoStore,
  };
  const evidencePhotoLinks = createEvidencePhotoLinks({ secret: config.jwt.secret });
  const catalogCache = createCatalogCache({
    cache: countedCache(store.cache, metrics),
    keyValue: store.keyValue,
    pubSub: store.pubSub,
    ttlMs: config.catalogCacheTtlMs,
    onLocalHit: () => metrics.cacheLookups.inc({ result: "hit" }),
    onSubscribeError: (error) => log.warn({ err: error }, "catalog versions will be polled: pub/sub is unavailable"),
  });
  const farms = createFarmService({ catalogCache, photoStore });
  const products = createProductService({ catalogCache, currency: config.shopCurrency });
  const photos = createProductPhotoService({ catalogCache, photoStore });
  const live = deps.live ?? createLiveServices({ config, store, metrics, log });
  const { notifications } = live;
  deps.shutdown?.addEventListener("abort", () => live.streams.closeAll(), { once: true });
  const streamTickets = createStreamTickets({ keyValue: store.keyValue, ttlMs: config.sse.ticketTtlMs });
  const { photoBaseUrl } = config;
  const uploadLimits = { maxBytes: config.photoMaxSize.bytes, maxSizeText: config.photoMaxSize.text };
  const { escrow } = config;
  if (escrow.address !== undefined && escrow.tokenAddress !== undefined && escrow.tokenDecimals === undefined) {
    throw new Error(
      "The stablecoin's decimals are unknown: run confirmEscrowToken (main.ts does) or set ESCROW_TOKEN_DECIMALS",
    );
  }
  const escrowToken =
    escrow.address === undefined || escrow.tokenAddress === undefined || escrow.tokenDecimals === undefined
      ? undefined
      : { address: escrow.tokenAddress, decimals: escrow.tokenDecimals };
  const onStockChanged = () => catalogCache.invalidate();
  const card =
    deps.card ?? createCardPayments({ config, fork: () => orm.em.fork(), notifications, onStockChanged, log });
  const ethFeedAddress = config.eth.priceFeedAddress;
  // Without a feed the checkout service names the missing ETH_PRICE_FEED_ADDRESS itself.
  const ethUnavailable =
    ethFeedAddress !== undefined && escrow.address === undefined
      ? `no escrow is configured for chain ${config.chainId} (ESCROW_ADDRESS)`
      : undefined;
  const eth =
    ethFeedAddress === undefined || escrow.address === undefined
      ? undefined
      : {
          escrowAddress: escrow.address,
          feed: createEthPriceFeed({
            chainId: config.chainId,
            rpcUrl: config.chainRpcUrl,
            feedAddress: ethFeedAddress,
            maxAgeSeconds: config.eth.maxPriceAgeSeconds,
          }),
          quoteTtlMs: config.eth.quoteTtlMs,
        };
  const orderViews = createOrderViews({
    chainId: config.chainId,
    escrowAddress: escrow.address,
    disputeWindowMs: config.disputes.windowMs,
  });
  const checkouts = createCheckoutService({
    views: orderViews,
    chainId: config.chainId,
    reservationMs: config.checkout.reservationMs,
    escrowToken,
    eth,
    ethUnavailable,
    onStockChanged,
    limits: {
      maxOpenPerBuyer: config.checkout.maxOpenPerBuyer,
      maxStockSharePercent: config.checkout.maxStockSharePercent,
    },
    paymentStarters: {
      ...paymentStartersFor({
        chainId: config.chainId,
        escrowAddress: escrow.address,
        escrowToken,
        eth,
        card: card?.starter,
      }),
      ...deps.paymentStarters,
    },
    cardUnavailable: card === undefined ? "no Stripe account is configured (STRIPE_SECRET_KEY)" : undefined,
  });

  const orderService = createOrderService({
    views: orderViews,
    paymentInFlight: paymentInFlightGuardFor(config),
    onStockChanged,
    notifications,
    onCardOrderCancelled: card && ((em, checkoutId) => card.sessions.closeUnpayable(em, [checkoutId])),
  });
  const disputes = createDisputeService({
    notifications,
    cardRulings: deps.cardRulings ??
      card?.rulings ?? {
        record: () =>
          Promise.reject(new ServiceUnavailableError("Card rulings need Stripe, and STRIPE_SECRET_KEY is unset")),
        carryOut: () => Promise.resolve(null),
      },
    cardTerms: () => readCardTerms(orm.em.fork(), config.chainId, config.stripe.fallbackTerms),
    defaultShippedBuyerBps: marketplaceEscrowConstants.DEFAULT_SHIPPED_BUYER_BPS,
    photoStore: evidencePhotos.evidenceStore,
    photoLinks: evidencePhotoLinks,
    escrow: escrow.address === undefined ? undefined : { chainId: config.chainId, address: escrow.address },
    windowMs: config.disputes.windowMs,
  });
  // Governance needs a governor to read; without one (no deployment for CHAIN_ID, no GOVERNOR_ADDRESS) it is absent.
  const governanceRoutes = () => {
    const { governorAddress, relayerPrivateKey } = config.governance;
    if (governorAddress === undefined) return [];
    const chain = createGovernanceChain({ chainId: config.chainId, rpcUrl: config.chainRpcUrl, governorAddress });
    return createGovernanceRoutes({
      governance: createGovernanceService({
        chainId: config.chainId,
        chain,
        escrowAddress: escrow.address,
        stablecoin: escrowToken,
      }),
      relayer: createVoteRelayer({
        chain,
        privateKey: relayerPrivateKey,
        keyValue: store.keyValue,
        limitVoter: createAccountRateLimit({ limiter: store.rateLimiter, policy: rateLimitPolicies.auth, metrics }),
        dailyGasBudget: config.governance.relayerDailyGasBudget,
        metrics,
      }),
    });
  };

  // Every JSON route of the API, declared with defineRoute. Add a resource by spreading its create*Routes(deps) here.
  const routes: ApiRoute[] = [
    ...createHealthRoutes({ checkReadiness }),
    ...createAuthRoutes(auth),
    ...createAccountRoutes(auth, { evidencePhotos }),
    ...createAdminUserRoutes(),
    ...createCartRoutes({ cartService: createCartService({ chainId: config.chainId }) }),
    ...createFarmRoutes({ farms, catalogCache, photoBaseUrl, uploadLimits }),
    ...createProductRoutes({ products, farms, catalogCache, photoBaseUrl }),
    ...createPhotoRoutes({ products, photos, photoBaseUrl, uploadLimits }),
    ...createNotificationRoutes({ notifications }),
    ...createEventRoutes({ tickets: streamTickets }),
    ...createCheckoutRoutes({
      checkouts,
      paymentTransactions: createPaymentTransactions({ maxPerCheckout: 5 }),
    }),
    ...createOrderRoutes({
      orders: orderService,
      releasedPaymentRefund:
        escrow.address === undefined
          ? undefined
          : createReleasedPaymentRefund({ chainId: config.chainId, escrowAddress: escrow.address }),
    }),
    ...createDisputeRoutes({ disputes, uploadLimits }),
    ...createAdminOverviewRoutes({ disputes }),
    ...governanceRoutes(),
    ...createCardOrderRoutes({ card, orders: orderService }),
    ...createFarmPayoutRoutes({ card }),
    ...createReconciliationRoutes(),
    ...(deps.extraRoutes ?? []),
  ];

  const router = new Router<ApiState>();
  mountRoutes(router, routes, { enforceRateLimit, forkEntityManager: () => orm.em.fork() });
  mountEventStreamRoute(router, {
    enforceRateLimit,
    tickets: streamTickets,
    bus: live.bus,
    streams: live.streams,
    notifications,
    forkEntityManager: () => orm.em.fork(),
    shutdown: deps.shutdown,
  });
  mountMetricsRoute(router, metrics);
  mountPhotoFileRoute(router, photoStore);
  mountEvidencePhotoRoute(router, {
    disputes,
    links: evidencePhotoLinks,
    ...evidencePhotos,
    forkEntityManager: () => orm.em.fork(),
  });
  mountDocsRoutes(
    router,
    buildOpenApiDocument(routes, { title: "AgriDAO API", version: "0.1.0" }, [
      EVENT_STREAM_OPERATION,
      STRIPE_WEBHOOK_OPERATION,
    ]),
  );

  const app = new Koa<ApiState>({ proxy: config.trustProxy });
  // Behind one trusted proxy, only the address it appended is believed; earlier entries are client-supplied.
  app.maxIpsCount = 1;
  // The error middleware logs every error itself; Koa's default handler would print them a second time.
  app.silent = true;

  // First: repeated public catalog reads are answered here, without the rest of the stack (see sharedResponses).
  app.use(sharedResponses({ catalogVersion: () => catalogCache.trustedVersion(), enforceRateLimit, metrics, log }));
  app.use(requestId(log));
  app.use(httpMetrics(metrics));
  app.use(securityHeaders({ docsPath: DOCS_PATH }));
  app.use(
    cors({
      origin: (ctx) => (config.corsOrigins.includes(ctx.get("Origin")) ? ctx.get("Origin") : ""),
      credentials: true,
      exposeHeaders: ["X-Request-Id", "Retry-After", "ETag", "X-Cart-Token", "Idempotent-Replayed"],
      maxAge: 600,
    }),
  );
  app.use(errorHandler({ bodyLimit: config.bodyLimit }));
  app.use(compress({ threshold: 1024 }));
  app.use(etag());
  // Before the body parser: Stripe signs the exact bytes it sent.
  app.use(stripeWebhookRoute(card?.webhooks));
  // DELETE too: deleting an account carries its re-authentication (password or SIWE proof) in the body.
  app.use(
    bodyParser({
      enableTypes: ["json"],
      jsonLimit: config.bodyLimit,
      parsedMethods: ["POST", "PUT", "PATCH", "DELETE"],
    }),
  );
  app.use(authenticate(accessTokens));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
