import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";
import type Stripe from "stripe";

import type { PaymentStarter } from "../checkout/payment-starters.js";
import type { ApiConfig } from "../config.js";
import type { NotificationService } from "../notifications/notification-service.js";
import { createCardDelivery } from "./card-delivery.js";
import type { CardDelivery } from "./card-delivery.js";
import { createCardRefunds } from "./card-refunds.js";
import type { CardRefunds } from "./card-refunds.js";
import { createCardRulings } from "./card-rulings.js";
import type { CardRulings } from "./card-rulings.js";
import { createCardSessions } from "./card-sessions.js";
import type { CardSessions } from "./card-sessions.js";
import { createFarmPayouts } from "./farm-payouts.js";
import type { FarmPayouts } from "./farm-payouts.js";
import { readCardTerms } from "./read-card-terms.js";
import type { CardTerms } from "./read-card-terms.js";
import { createStripeCardPaymentStarter } from "./stripe-card-payment-starter.js";
import { createStripeClient } from "./stripe-client.js";
import { createStripeWebhooks } from "./stripe-webhooks.js";
import type { StripeWebhooks } from "./stripe-webhooks.js";

/** Everything card payments are made of, built once per process around one Stripe client. */
export interface CardPayments {
  stripe: Stripe;
  webAppUrl: string;
  starter: PaymentStarter;
  /** Undefined without STRIPE_WEBHOOK_SECRET: deliveries are then refused (503) and only reconciliation applies events. */
  webhooks: StripeWebhooks | undefined;
  /** Applies events read from Stripe (reconciliation) even when no webhook secret is configured. */
  events: Pick<StripeWebhooks, "store" | "process">;
  refunds: CardRefunds;
  /** What dispute rulings over card orders do with the money. */
  rulings: CardRulings;
  delivery: CardDelivery;
  payouts: FarmPayouts;
  /** The checkouts' Stripe sessions: reopening an unpaid order's, closing those no order can be paid through. */
  sessions: CardSessions;
  /**
   * The DAO's windows card orders follow (the escrow's, as indexed), read afresh on each call, through `em` when given
   * (a transaction must not wait on a second pooled connection).
   */
  terms: (em?: EntityManager) => Promise<CardTerms>;
}

/** Builds card payments from the configuration; undefined when STRIPE_SECRET_KEY is unset (card checkout off). */
export function createCardPayments(deps: {
  config: ApiConfig;
  fork: () => EntityManager;
  notifications: NotificationService;
  onStockChanged: () => Promise<void>;
  log: Logger;
  /** Overrides the Stripe client (the reconcile command and tests pass their own). */
  stripe?: Stripe;
}): CardPayments | undefined {
  const { config, fork, notifications, log } = deps;
  const stripe = deps.stripe ?? createStripeClient(config.stripe);
  if (stripe === undefined) return undefined;
  const payouts = createFarmPayouts({ stripe });
  const refunds = createCardRefunds({ stripe, payouts, notifications, fork });
  const terms = (em: EntityManager = fork()) => readCardTerms(em, config.chainId, config.stripe.fallbackTerms);
  const ingest = (webhookSecret: string) =>
    createStripeWebhooks({
      stripe,
      webhookSecret,
      payouts,
      refunds,
      terms,
      notifications,
      fork,
      onStockChanged: deps.onStockChanged,
      log,
    });
  const webhookSecret = config.stripe.webhookSecret;
  return {
    stripe,
    webAppUrl: config.stripe.webAppUrl,
    starter: createStripeCardPaymentStarter({ stripe, webAppUrl: config.stripe.webAppUrl, fork }),
    webhooks: webhookSecret === undefined ? undefined : ingest(webhookSecret),
    // Events read from Stripe's API are authentic by the API key: no signature to check, so any secret will do.
    events: ingest(webhookSecret ?? "whsec_unused"),
    refunds,
    rulings: createCardRulings({ refunds, payouts, fork, log }),
    delivery: createCardDelivery({ notifications, payouts, refunds, fork }),
    payouts,
    sessions: createCardSessions({ stripe, log }),
    terms,
  };
}
