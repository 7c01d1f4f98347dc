import { randomBytes } from "node:crypto";
import path from "node:path";

import { z } from "zod";

import { deployments } from "../../protocol/generated/contracts.js";
// The local chain is the only one on which the API may run without a configured JWT secret.
import { LOCAL_CHAIN_ID } from "../../protocol/local-chain-id.js";

import type { CardTerms } from "./card-payments/read-card-terms.js";

const integer = (min: number) => z.coerce.number().int().min(min);

const booleanFlag = z
  .enum(["true", "false", "1", "0"], { error: "expected true or false" })
  .transform((value) => value === "true" || value === "1");

const originList = z
  .string()
  .transform((value) =>
    value
      .split(",")
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ""),
  )
  .pipe(z.array(z.url({ protocol: /^https?$/, error: "expected a comma-separated list of http(s) origins" })));

const evmAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, { error: "expected a 0x-prefixed 20-byte hex address" })
  .transform((value) => value.toLowerCase() as `0x${string}`);

const schema = z
  .object({
    NODE_ENV: z.string().default("development"),
    API_HOST: z.string().min(1).default("127.0.0.1"),
    API_PORT: integer(0).max(65_535).default(4_000),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "expected a postgres:// URL" }),
    DATABASE_POOL_MAX: integer(1).default(10),
    DATABASE_CONNECT_TIMEOUT_SECONDS: integer(1).max(300).default(10),
    DATABASE_STATEMENT_TIMEOUT_SECONDS: integer(1).max(86_400).default(30),
    DATABASE_SILENCE_TIMEOUT_SECONDS: integer(1).max(86_400).default(45),
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS: integer(1).max(86_400).default(60),
    DATABASE_KEEPALIVE_SECONDS: integer(1).max(7_200).default(30),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: "expected a redis:// URL" }).optional(),
    CORS_ORIGINS: originList.default([]),
    PUBLIC_WEB_ORIGIN: z.url({ protocol: /^https?$/, error: "expected an http(s) origin" }).optional(),
    TRUST_PROXY: booleanFlag.default(false),
    JWT_SECRET: z.string().min(32, { error: "expected at least 32 characters" }).optional(),
    JWT_ISSUER: z.string().min(1).default("agridao-api"),
    JWT_AUDIENCE: z.string().min(1).default("agridao"),
    JWT_ACCESS_TTL_SECONDS: integer(30).max(86_400).default(900),
    CHAIN_ID: integer(1),
    CHAIN_RPC_URL: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }),
    INDEXER_MAX_LAG_BLOCKS: integer(0).default(20),
    UPLOAD_DIR: z.string().min(1).default("uploads"),
    SHOP_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/, { error: "expected an ISO 4217 code such as USD" })
      .default("USD"),
    PHOTO_MAX_SIZE: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, { error: "expected a size such as 500kb or 10mb" })
      .default("10mb"),
    PHOTO_BASE_URL: z
      .string()
      .regex(/^(https?:\/\/[^\s]+|\/[^\s]*)$/, { error: "expected an http(s) URL or a path starting with /" })
      .default("/api/photos"),
    CATALOG_CACHE_TTL_SECONDS: integer(1).max(86_400).default(60),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, { error: "expected a size such as 100kb or 1mb" })
      .default("100kb"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    SIWE_URI: z.url({ protocol: /^https?$/, error: "expected the http(s) origin users sign in from" }).optional(),
    SIWE_NONCE_TTL_SECONDS: integer(30).max(3_600).default(300),
    SIWE_MAX_AGE_SECONDS: integer(30).max(86_400).default(600),
    REFRESH_TTL_SECONDS: integer(60).max(31_536_000).default(2_592_000),
    TERMS_VERSION: z.string().trim().min(1).max(64).default("1"),
    RATE_LIMIT_AUTH_PER_15_MINUTES: integer(1).default(100),
    RATE_LIMIT_DEFAULT_PER_MINUTE: integer(1).default(600),
    SSE_HEARTBEAT_SECONDS: integer(1).max(300).default(20),
    SSE_MAX_STREAMS_PER_USER: integer(1).max(100).default(5),
    SSE_TICKET_TTL_SECONDS: integer(1).max(600).default(30),
    CHECKOUT_RESERVATION_MINUTES: integer(1).max(1_440).default(30),
    CHECKOUT_EXPIRY_INTERVAL_SECONDS: integer(1).max(3_600).default(30),
    CHECKOUT_MAX_OPEN_PER_BUYER: integer(1).max(1_000).default(5),
    CHECKOUT_MAX_STOCK_SHARE_PERCENT: integer(1).max(100).default(50),
    ESCROW_ADDRESS: evmAddress.optional(),
    ESCROW_TOKEN_ADDRESS: evmAddress.optional(),
    ESCROW_TOKEN_DECIMALS: integer(0).max(36).optional(),
    ESCROW_LINK_INTERVAL_SECONDS: integer(1).max(3_600).default(15),
    ESCROW_PAYMENT_PENDING_SECONDS: integer(30).max(86_400).default(600),
    ETH_PRICE_FEED_ADDRESS: evmAddress.optional(),
    ETH_PRICE_MAX_AGE_SECONDS: integer(1).max(31_536_000).default(3_600),
    ETH_QUOTE_TTL_SECONDS: integer(30).max(86_400).default(600),
    DISPUTE_WINDOW_DAYS: integer(1).max(365).default(14),
    EVIDENCE_DIR: z.string().min(1).default("evidence"),
    DISPUTE_EVIDENCE_RETENTION_DAYS: integer(1).max(3_650).default(180),
    GOVERNOR_ADDRESS: evmAddress.optional(),
    RELAYER_PRIVATE_KEY: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, { error: "expected a 0x-prefixed 32-byte hex private key" })
      .transform((value) => value as `0x${string}`)
      .optional(),
    RELAYER_DAILY_GAS_BUDGET: integer(1).max(Number.MAX_SAFE_INTEGER).default(10_000_000),
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk_test_|sk_live_|rk_)\S+$/, { error: "expected a Stripe secret key (sk_test_…, sk_live_… or rk_…)" })
      .optional(),
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_\S+$/, { error: "expected a webhook signing secret (whsec_…)" })
      .optional(),
    STRIPE_API_URL: z
      .url({ protocol: /^https?$/, error: "expected an http(s) URL such as http://127.0.0.1:12111" })
      .optional(),
    WEB_APP_URL: z
      .url({ protocol: /^https?$/, error: "expected the web app's http(s) URL" })
      .default("http://localhost:5173"),
    CARD_AUTO_CONFIRM_DAYS: integer(1).max(365).default(14),
    CARD_SHIP_WINDOW_DAYS: integer(1).max(90).default(7),
    CARD_ARBITRATION_TIMEOUT_DAYS: integer(1).max(180).default(14),
    CARD_JOB_INTERVAL_SECONDS: integer(1).max(3_600).default(60),
  })
  .superRefine((env, ctx) => {
    if (env.DATABASE_SILENCE_TIMEOUT_SECONDS <= env.DATABASE_STATEMENT_TIMEOUT_SECONDS) {
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_SILENCE_TIMEOUT_SECONDS"],
        message:
          "must exceed DATABASE_STATEMENT_TIMEOUT_SECONDS, so that a slow statement is cancelled by the server before " +
          "its connection is dropped as silent",
      });
    }
    if (env.JWT_SECRET === undefined && (env.CHAIN_ID !== LOCAL_CHAIN_ID || env.NODE_ENV === "production")) {
      ctx.addIssue({
        code: "custom",
        path: ["JWT_SECRET"],
        message: `required unless CHAIN_ID is the local chain (${LOCAL_CHAIN_ID}) outside production`,
      });
    }
    const uploads = path.resolve(env.UPLOAD_DIR);
    const evidence = path.resolve(env.EVIDENCE_DIR);
    const inside = (dir: string, parent: string) => `${dir}${path.sep}`.startsWith(`${parent}${path.sep}`);
    if (inside(evidence, uploads) || inside(uploads, evidence)) {
      ctx.addIssue({
        code: "custom",
        path: ["EVIDENCE_DIR"],
        message:
          "must be outside UPLOAD_DIR (and not contain it): product photos may be served straight from UPLOAD_DIR, " +
          "dispute evidence never",
      });
    }
    if (env.SIWE_URI === undefined && env.PUBLIC_WEB_ORIGIN === undefined && env.NODE_ENV === "production") {
      ctx.addIssue({
        code: "custom",
        path: ["SIWE_URI"],
        message: "required in production unless PUBLIC_WEB_ORIGIN is set (the origin users sign in from)",
      });
    }
  });

/** Where wallets sign in from when neither SIWE_URI nor PUBLIC_WEB_ORIGIN is set: the web app's dev server. */
export const DEVELOPMENT_SIWE_URI = "http://localhost:5173";

/**
 * How long the API waits on PostgreSQL, so that a connection gone silent (a network partition, a dropped NAT entry:
 * nothing closes it, and TCP alone gives up only after many minutes) fails its request and is replaced instead of
 * hanging it.
 */
export type DatabaseTimeouts = Readonly<{
  /** Getting a connection: a free pooled one, or a new one through its authentication. */
  connectMs: number;
  /** The server cancels a statement running longer (statement_timeout): a slow query, the connection kept. */
  statementMs: number;
  /**
   * A query with no answer at all after this long (longer than `statementMs`, which the server would have answered
   * with a cancellation) means the connection is dead: the request fails and the connection is closed.
   */
  silenceMs: number;
  /** The server ends a session idle inside a transaction this long, releasing its locks (a client cut off mid-way). */
  idleInTransactionMs: number;
  /** TCP keep-alive probes start after this long idle: NAT entries of idle pooled connections stay alive. */
  keepAliveMs: number;
}>;

export type ApiConfig = Readonly<{
  production: boolean;
  host: string;
  port: number;
  databaseUrl: string;
  databasePoolMax: number;
  databaseTimeouts: DatabaseTimeouts;
  redisUrl: string | undefined;
  /** Origins allowed to call the API from a browser: CORS_ORIGINS plus PUBLIC_WEB_ORIGIN. */
  corsOrigins: readonly string[];
  /** Whether X-Forwarded-For is believed: only behind a proxy that sets it. */
  trustProxy: boolean;
  jwt: Readonly<{
    secret: Uint8Array;
    /** False when the secret was generated for this process (local chain only): tokens die with it. */
    configured: boolean;
    issuer: string;
    audience: string;
    accessTtlSeconds: number;
  }>;
  chainId: number;
  chainRpcUrl: string;
  indexerMaxLagBlocks: number;
  uploadDir: string;
  /** ISO 4217 code every product is priced in; prices are integer minor units of it. */
  shopCurrency: string;
  /** The largest photo upload accepted, as written (`10mb`) and in bytes. */
  photoMaxSize: Readonly<{ text: string; bytes: number }>;
  /** Where photo URLs point: `/api/photos` on this API, or a CDN in front of the photo store. No trailing slash. */
  photoBaseUrl: string;
  catalogCacheTtlMs: number;
  bodyLimit: string;
  logLevel: string;
  /** What a Sign-In with Ethereum message must name, and how long its parts live. */
  siwe: Readonly<{
    /** The RFC 3986 authority (host and port) of the web app, e.g. `shop.example.com`. */
    domain: string;
    /** The web app's origin, e.g. `https://shop.example.com`; a message's URI must be on it. */
    uri: string;
    /** `http` or `https`, which a message's optional scheme must match. */
    scheme: string;
    nonceTtlSeconds: number;
    /** A message issued longer ago than this is refused even before its expiration time. */
    maxAgeSeconds: number;
  }>;
  refreshTtlSeconds: number;
  /** The version of the terms of service a new account accepts. */
  termsVersion: string;
  /** Requests allowed per client IP, and per account, in each policy's window. */
  rateLimits: Readonly<{ authPer15Minutes: number; defaultPerMinute: number }>;
  /** Server-sent event streams (`GET /api/events`). */
  sse: Readonly<{
    /** How often an idle stream gets a comment, so proxies and browsers do not drop it as dead. */
    heartbeatMs: number;
    /** Open streams one user may hold in one API process; the next is refused with 429. */
    maxStreamsPerUser: number;
    /** How long a stream ticket (for EventSource, which cannot send an Authorization header) stays redeemable. */
    ticketTtlMs: number;
  }>;
  checkout: Readonly<{
    /** How long a checkout's stock stays reserved waiting for payment. */
    reservationMs: number;
    /** How often each API process looks for reservations past their deadline. */
    expiryIntervalMs: number;
    /** Checkouts with an order still awaiting payment one buyer may hold; the next checkout is refused. */
    maxOpenPerBuyer: number;
    /**
     * The share (percent) of a product's units one buyer may hold unpaid: of the units on sale plus those the buyer
     * already holds, and never less than one unit.
     */
    maxStockSharePercent: number;
  }>;
  /**
   * The escrow buyers pay into and the stablecoin they pay with (at par with the shop currency): ESCROW_ADDRESS and
   * ESCROW_TOKEN_ADDRESS, else the deployment in protocol/generated/contracts.ts for CHAIN_ID; undefined when neither
   * names one, and escrow checkout is then refused.
   */
  escrow: Readonly<{
    address: `0x${string}` | undefined;
    tokenAddress: `0x${string}` | undefined;
    /**
     * ESCROW_TOKEN_DECIMALS as set; at start-up main.ts replaces it with the token's own `decimals()` (refusing to
     * start when a set value disagrees), so an app is only ever built with the chain's value or an explicit one.
     */
    tokenDecimals: number | undefined;
    /** How often indexed escrow orders are matched against orders awaiting payment, besides on announcements. */
    linkIntervalMs: number;
    /**
     * How long a payment transaction the buyer's wallet reported holds its orders (no cancel, no expiry) at most,
     * while its receipt is unknown or the indexer has not reached its block.
     */
    paymentPendingMs: number;
  }>;
  /**
   * Paying in ETH: the Chainlink-style feed pricing ETH in the shop currency (ETH_PRICE_FEED_ADDRESS, else on a chain
   * whose deployment has one, its MockPriceFeed, which quotes ETH / USD, when the shop currency is USD); undefined
   * turns ETH checkout off (422). A round older than `maxPriceAgeSeconds` is refused; a quote is honoured for
   * `quoteTtlMs` (never past the reservation).
   */
  eth: Readonly<{
    priceFeedAddress: `0x${string}` | undefined;
    maxPriceAgeSeconds: number;
    quoteTtlMs: number;
  }>;
  disputes: Readonly<{
    /** How long after payment a card order may be disputed (escrow orders follow the contract's own windows). */
    windowMs: number;
    /** Where evidence photos are kept: a store of their own, never served publicly (see EVIDENCE_DIR). */
    evidenceDir: string;
    /** How long after a dispute closes its evidence photos are kept. */
    evidenceRetentionMs: number;
  }>;
  /**
   * The DAO: GOVERNOR_ADDRESS, else the deployment's AgriGovernor for CHAIN_ID (its token and timelock are read from
   * it), and the key gasless votes are relayed with (RELAYER_PRIVATE_KEY); relaying is refused (503) without one, or
   * once the day's gas budget (RELAYER_DAILY_GAS_BUDGET) is spent.
   */
  governance: Readonly<{
    governorAddress: `0x${string}` | undefined;
    relayerPrivateKey: `0x${string}` | undefined;
    /** Gas the relayer may commit to votes per UTC day, across replicas; beyond it relaying answers 503. */
    relayerDailyGasBudget: number;
  }>;
  /** Card payments through Stripe; `secretKey` undefined turns card checkout off (422 naming STRIPE_SECRET_KEY). */
  stripe: Readonly<{
    secretKey: string | undefined;
    webhookSecret: string | undefined;
    /** host/port/protocol for the SDK when STRIPE_API_URL points elsewhere than api.stripe.com (the local stand-in). */
    api: Readonly<{ host: string; port: number; protocol: "http" | "https" }> | undefined;
    /** Base of the success and cancel URLs of Checkout Sessions, without a trailing slash. */
    webAppUrl: string;
    /**
     * The ship, confirm and arbitration windows of card orders while the escrow's (indexer.escrow_terms) are unknown
     * (CARD_SHIP_WINDOW_DAYS, CARD_AUTO_CONFIRM_DAYS, CARD_ARBITRATION_TIMEOUT_DAYS).
     */
    fallbackTerms: Readonly<CardTerms>;
    /** How often the card deadlines (ship, confirm, disputes), outstanding refunds and pending payouts are worked. */
    jobIntervalMs: number;
  }>;
}>;

/** Thrown when the environment does not describe a usable API; the message names every bad variable. */
export class ApiConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid API configuration:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
    this.name = new.target.name;
  }
}

/** Parses the API's environment once, at start-up. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ApiConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const data = parsed.data;
  const origins = new Set(data.CORS_ORIGINS.map((origin) => new URL(origin).origin));
  if (data.PUBLIC_WEB_ORIGIN !== undefined) origins.add(new URL(data.PUBLIC_WEB_ORIGIN).origin);
  const deployed = deployments[data.CHAIN_ID]?.addresses;
  const siweUri = new URL(data.SIWE_URI ?? data.PUBLIC_WEB_ORIGIN ?? DEVELOPMENT_SIWE_URI);
  return {
    production: data.NODE_ENV === "production",
    host: data.API_HOST,
    port: data.API_PORT,
    databaseUrl: data.DATABASE_URL,
    databasePoolMax: data.DATABASE_POOL_MAX,
    databaseTimeouts: {
      connectMs: data.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000,
      statementMs: data.DATABASE_STATEMENT_TIMEOUT_SECONDS * 1000,
      silenceMs: data.DATABASE_SILENCE_TIMEOUT_SECONDS * 1000,
      idleInTransactionMs: data.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS * 1000,
      keepAliveMs: data.DATABASE_KEEPALIVE_SECONDS * 1000,
    },
    redisUrl: data.REDIS_URL,
    corsOrigins: [...origins],
    trustProxy: data.TRUST_PROXY,
    jwt: {
      secret:
        data.JWT_SECRET === undefined ? new Uint8Array(randomBytes(32)) : new TextEncoder().encode(data.JWT_SECRET),
      configured: data.JWT_SECRET !== undefined,
      issuer: data.JWT_ISSUER,
      audience: data.JWT_AUDIENCE,
      accessTtlSeconds: data.JWT_ACCESS_TTL_SECONDS,
    },
    chainId: data.CHAIN_ID,
    chainRpcUrl: data.CHAIN_RPC_URL,
    indexerMaxLagBlocks: data.INDEXER_MAX_LAG_BLOCKS,
    uploadDir: data.UPLOAD_DIR,
    shopCurrency: data.SHOP_CURRENCY,
    photoMaxSize: { text: data.PHOTO_MAX_SIZE, bytes: sizeInBytes(data.PHOTO_MAX_SIZE) },
    photoBaseUrl: data.PHOTO_BASE_URL.replace(/\/+$/, ""),
    catalogCacheTtlMs: data.CATALOG_CACHE_TTL_SECONDS * 1000,
    bodyLimit: data.BODY_LIMIT,
    logLevel: data.LOG_LEVEL,
    siwe: {
      domain: siweUri.host,
      uri: siweUri.origin,
      scheme: siweUri.protocol.slice(0, -1),
      nonceTtlSeconds: data.SIWE_NONCE_TTL_SECONDS,
      maxAgeSeconds: data.SIWE_MAX_AGE_SECONDS,
    },
    refreshTtlSeconds: data.REFRESH_TTL_SECONDS,
    termsVersion: data.TERMS_VERSION,
    rateLimits: {
      authPer15Minutes: data.RATE_LIMIT_AUTH_PER_15_MINUTES,
      defaultPerMinute: data.RATE_LIMIT_DEFAULT_PER_MINUTE,
    },
    sse: {
      heartbeatMs: data.SSE_HEARTBEAT_SECONDS * 1000,
      maxStreamsPerUser: data.SSE_MAX_STREAMS_PER_USER,
      ticketTtlMs: data.SSE_TICKET_TTL_SECONDS * 1000,
    },
    checkout: {
      reservationMs: data.CHECKOUT_RESERVATION_MINUTES * 60_000,
      expiryIntervalMs: data.CHECKOUT_EXPIRY_INTERVAL_SECONDS * 1000,
      maxOpenPerBuyer: data.CHECKOUT_MAX_OPEN_PER_BUYER,
      maxStockSharePercent: data.CHECKOUT_MAX_STOCK_SHARE_PERCENT,
    },
    escrow: {
      address: data.ESCROW_ADDRESS ?? lowerCase(deployed?.MarketplaceEscrow),
      tokenAddress: data.ESCROW_TOKEN_ADDRESS ?? lowerCase(deployed?.MockUSDC),
      tokenDecimals: data.ESCROW_TOKEN_DECIMALS,
      linkIntervalMs: data.ESCROW_LINK_INTERVAL_SECONDS * 1000,
      paymentPendingMs: data.ESCROW_PAYMENT_PENDING_SECONDS * 1000,
    },
    eth: {
      priceFeedAddress:
        data.ETH_PRICE_FEED_ADDRESS ?? (data.SHOP_CURRENCY === "USD" ? lowerCase(deployed?.MockPriceFeed) : undefined),
      maxPriceAgeSeconds: data.ETH_PRICE_MAX_AGE_SECONDS,
      quoteTtlMs: data.ETH_QUOTE_TTL_SECONDS * 1000,
    },
    disputes: {
      windowMs: data.DISPUTE_WINDOW_DAYS * 86_400_000,
      evidenceDir: data.EVIDENCE_DIR,
      evidenceRetentionMs: data.DISPUTE_EVIDENCE_RETENTION_DAYS * 86_400_000,
    },
    governance: {
      governorAddress: data.GOVERNOR_ADDRESS ?? lowerCase(deployed?.AgriGovernor),
      relayerPrivateKey: data.RELAYER_PRIVATE_KEY,
      relayerDailyGasBudget: data.RELAYER_DAILY_GAS_BUDGET,
    },
    stripe: {
      secretKey: data.STRIPE_SECRET_KEY,
      webhookSecret: data.STRIPE_WEBHOOK_SECRET,
      api: data.STRIPE_API_URL === undefined ? undefined : stripeApiOf(new URL(data.STRIPE_API_URL)),
      webAppUrl: data.WEB_APP_URL.replace(/\/+$/, ""),
      fallbackTerms: {
        shipWindowMs: data.CARD_SHIP_WINDOW_DAYS * 86_400_000,
        confirmWindowMs: data.CARD_AUTO_CONFIRM_DAYS * 86_400_000,
        arbitrationTimeoutMs: data.CARD_ARBITRATION_TIMEOUT_DAYS * 86_400_000,
      },
      jobIntervalMs: data.CARD_JOB_INTERVAL_SECONDS * 1000,
    },
  };
}

function stripeApiOf(url: URL): { host: string; port: number; protocol: "http" | "https" } {
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host: url.hostname, port: url.port === "" ? (protocol === "http" ? 80 : 443) : Number(url.port), protocol };
}

function lowerCase(address: `0x${string}` | undefined): `0x${string}` | undefined {
  return address?.toLowerCase() as `0x${string}` | undefined;
}

const UNIT_BYTES = { b: 1, kb: 1024, mb: 1024 * 1024 } as const;

function sizeInBytes(size: string): number {
  const [, amount, unit] = /^(\d+)(b|kb|mb)$/i.exec(size) ?? [];
  return Number(amount) * UNIT_BYTES[unit.toLowerCase() as keyof typeof UNIT_BYTES];
}
