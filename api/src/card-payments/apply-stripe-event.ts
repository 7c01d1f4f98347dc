import type { EntityManager } from "@mikro-orm/postgresql";
import type Stripe from "stripe";

import type { Notify } from "../notifications/notification-service.js";
import type { CardRefunds } from "./card-refunds.js";
import type { FarmPayouts } from "./farm-payouts.js";
import type { CardTerms } from "./read-card-terms.js";
import { recordFailedPaymentAttempt } from "./record-failed-payment-attempt.js";
import { syncStripeDispute } from "./sync-stripe-dispute.js";
import { syncStripeRefund } from "./sync-stripe-refund.js";
import { syncStripeSession } from "./sync-stripe-session.js";

/** What applying an event needs besides its transaction. */
export interface StripeEventContext {
  stripe: Stripe;
  payouts: FarmPayouts;
  refunds: Pick<CardRefunds, "request">;
  notify: Notify;
  now: () => Date;
  /** The DAO's windows in force, read through the event's transaction: an order paid now must ship in its window. */
  terms: (tx: EntityManager) => Promise<CardTerms>;
}

/** Work to do once the event's transaction committed (stock caches, payouts to a newly ready account, refunds). */
export interface AppliedStripeEvent {
  stockChanged: boolean;
  /** Farms whose connected account may have become ready: their accrued payables are paid after the commit. */
  farmsToPay: string[];
  /** Refunds this event decided (a late payment's), recorded with it: Stripe is asked for them after the commit. */
  refundsToIssue: string[];
}

/**
 * Applies one Stripe event in the caller's transaction. The event only says what to look at: the state is re-read from
 * Stripe (the session, payment intent, refund, dispute or account), so events applied in any order, twice, or late
 * leave the same result. Every change is guarded by the orders' current state under their row locks, and every
 * timeline entry and flag has a source key naming the fact it records, so a fact reached through two events
 * (`checkout.session.completed` and `payment_intent.succeeded`) is recorded once.
 */
export async function applyStripeEvent(
  tx: EntityManager,
  event: Stripe.Event,
  context: StripeEventContext,
): Promise<AppliedStripeEvent> {
  const applied: AppliedStripeEvent = { stockChanged: false, farmsToPay: [], refundsToIssue: [] };
  const object = event.data.object as { id: string; object: string };
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.expired":
    case "checkout.session.async_payment_succeeded":
    case "checkout.session.async_payment_failed":
      await syncStripeSession(tx, context, event, object.id, applied);
      break;
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed": {
      const paymentIntent = await context.stripe.paymentIntents.retrieve(object.id);
      const checkoutId = paymentIntent.metadata.checkoutId;
      if (checkoutId === undefined) break;
      const [checkout] = await tx.execute<{ stripe_session_id: string | null }[]>(
        "SELECT stripe_session_id FROM checkouts WHERE id = ?",
        [checkoutId],
      );
      if (checkout?.stripe_session_id == null) break;
      if (event.type === "payment_intent.payment_failed") {
        await recordFailedPaymentAttempt(tx, event, checkoutId, paymentIntent);
      }
      await syncStripeSession(tx, context, event, checkout.stripe_session_id, applied);
      break;
    }
    case "charge.refunded": {
      const refunds = await context.stripe.refunds.list({ charge: object.id, limit: 100 });
      for (const refund of refunds.data) await syncStripeRefund(tx, context, refund);
      break;
    }
    case "refund.created":
    case "refund.updated":
    case "refund.failed":
      await syncStripeRefund(tx, context, await context.stripe.refunds.retrieve(object.id));
      break;
    case "charge.dispute.created":
    case "charge.dispute.updated":
    case "charge.dispute.closed":
      await syncStripeDispute(tx, context, await context.stripe.disputes.retrieve(object.id));
      break;
    case "account.updated": {
      const account = await context.stripe.accounts.retrieve(object.id);
      const rows = await tx.execute<{ farm_id: string }[]>(
        `UPDATE farm_stripe_accounts SET charges_enabled = ?, payouts_enabled = ?, updated_at = now()
          WHERE account_id = ? RETURNING farm_id`,
        [account.charges_enabled === true, account.payouts_enabled === true, account.id],
      );
      if (account.charges_enabled === true && account.payouts_enabled === true) {
        applied.farmsToPay.push(...rows.map((row) => row.farm_id));
      }
      break;
    }
    default:
      break;
  }
  return applied;
}
