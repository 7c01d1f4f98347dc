import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";
import type Stripe from "stripe";

import { ValidationError } from "../errors.js";
import type { NotificationService } from "../notifications/notification-service.js";
import { applyStripeEvent } from "./apply-stripe-event.js";
import type { CardRefunds } from "./card-refunds.js";
import type { FarmPayouts } from "./farm-payouts.js";
import type { CardTerms } from "./read-card-terms.js";

/**
 * How far a signature's timestamp may be from now, as Stripe's SDK recommends: older deliveries are refused as
 * replays, and so are ones signed further in the future (the SDK checks only the past), which would otherwise stay
 * replayable for as long as their timestamp lies ahead.
 */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** The `t=` of a Stripe-Signature header, read as the SDK reads it (the last one counts); undefined without one. */
function signedAtOf(header: string): number | undefined {
  let signedAt: number | undefined;
  for (const item of header.split(",")) {
    const [key, value] = item.split("=");
    if (key === "t") signedAt = Number.parseInt(value, 10);
  }
  return signedAt === undefined || Number.isNaN(signedAt) ? undefined : signedAt;
}

export interface StripeWebhooks {
  /**
   * Verifies a delivery's signature over its exact bytes (ValidationError for a forged one, or one signed more than
   * the tolerance before or after now, and nothing is stored), stores the event once by id, and applies it unless it was applied before. Resolves once applied;
   * rejects (Stripe then redelivers) when applying failed, the event staying stored with its error.
   */
  receive(rawBody: Buffer, signature: string | undefined): Promise<{ eventId: string; duplicate: boolean }>;
  /** Stores an event read from Stripe's API (reconciliation) unless stored already; true when it was new. */
  store(event: Stripe.Event): Promise<boolean>;
  /** Applies a stored event unless it was applied already; true when this call applied it. */
  process(eventId: string): Promise<boolean>;
}

/**
 * Stripe webhook ingestion. Invariant: an event is applied at most once. Its row is locked (FOR UPDATE) by the
 * transaction that applies it and marked processed in that same transaction, so concurrent deliveries of one event
 * wait for each other and the second finds it processed; a failure rolls back everything but the stored event.
 */
export function createStripeWebhooks(deps: {
  stripe: Stripe;
  webhookSecret: string;
  payouts: FarmPayouts;
  refunds: Pick<CardRefunds, "request" | "issue">;
  terms: (em: EntityManager) => Promise<CardTerms>;
  notifications: NotificationService;
  fork: () => EntityManager;
  onStockChanged: () => Promise<void>;
  log: Logger;
  now?: () => Date;
}): StripeWebhooks {
  const { stripe, payouts, refunds, terms, notifications, log } = deps;
  const now = deps.now ?? (() => new Date());

  async function store(event: Stripe.Event): Promise<boolean> {
    const rows = await deps.fork().execute<{ id: string }[]>(
      `INSERT INTO stripe_events (id, type, created, payload) VALUES (?, ?, ?, ?::jsonb)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [event.id, event.type, new Date(event.created * 1000), JSON.stringify(event)],
    );
    return rows.length > 0;
  }

  async function process(eventId: string): Promise<boolean> {
    let outcome;
    try {
      outcome = await notifications.transaction(deps.fork(), async (tx, notify) => {
        const [row] = await tx.execute<{ payload: Stripe.Event; processed_at: Date | null }[]>(
          "SELECT payload, processed_at FROM stripe_events WHERE id = ? FOR UPDATE",
          [eventId],
        );
        if (row === undefined || row.processed_at !== null) return undefined;
        const applied = await applyStripeEvent(tx, row.payload, { stripe, payouts, refunds, notify, now, terms });
        await tx.execute("UPDATE stripe_events SET processed_at = now(), error = NULL WHERE id = ?", [eventId]);
        return applied;
      });
    } catch (error) {
      log.error({ err: error, stripeEventId: eventId }, "applying a Stripe event failed; it stays stored for a retry");
      await deps
        .fork()
        .execute("UPDATE stripe_events SET error = ? WHERE id = ? AND processed_at IS NULL", [
          error instanceof Error ? error.message : String(error),
          eventId,
        ])
        .catch(() => undefined);
      throw error;
    }
    if (outcome === undefined) return false;
    if (outcome.stockChanged) await deps.onStockChanged();
    for (const refundId of outcome.refundsToIssue) {
      // Recorded with the event: one Stripe does not answer now is issued by the card job later, once.
      await refunds
        .issue(refundId, { tellIfRefused: true })
        .catch((error: unknown) => log.warn({ err: error, refundId }, "issuing a refund an event decided failed"));
    }
    for (const farmId of outcome.farmsToPay) {
      await payouts
        .payFarm(deps.fork(), farmId)
        .catch((error: unknown) => log.warn({ err: error, farmId }, "paying a farm's accrued payables failed"));
    }
    return true;
  }

  return {
    store,
    process,
    async receive(rawBody, signature) {
      let event: Stripe.Event;
      const receivedAt = now().getTime();
      try {
        event = stripe.webhooks.constructEvent(
          rawBody,
          signature ?? "",
          deps.webhookSecret,
          WEBHOOK_TOLERANCE_SECONDS,
          undefined,
          receivedAt,
        );
      } catch (error) {
        throw new ValidationError("The Stripe signature does not verify", [
          { path: "headers.stripe-signature", message: error instanceof Error ? error.message : "invalid" },
        ]);
      }
      const signedAt = signedAtOf(signature ?? "");
      if (signedAt === undefined || signedAt - Math.floor(receivedAt / 1000) > WEBHOOK_TOLERANCE_SECONDS) {
        throw new ValidationError("The Stripe signature does not verify", [
          { path: "headers.stripe-signature", message: "Timestamp outside the tolerance zone (in the future)" },
        ]);
      }
      const isNew = await store(event);
      const applied = await process(event.id);
      return { eventId: event.id, duplicate: !isNew && !applied };
    },
  };
}
