import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";
import Stripe from "stripe";

export interface CardSessionCloser {
  /**
   * Expires the Stripe Checkout Session of each of these checkouts that no order can be paid through any more (every
   * order expired or cancelled, nothing paid). Resolves with how many sessions it expired; never rejects.
   */
  closeUnpayable(em: EntityManager, checkoutIds: readonly string[]): Promise<number>;
}

/**
 * Stripe keeps a session open for at least 30 minutes, often longer than the stock reservation. Expiring it when the
 * reservation ends means the buyer can no longer pay for stock that was released: the hosted page says the session
 * expired instead of taking money that would then be flagged as late and refunded. Best effort: a session that
 * could not be expired still closes at its own `expires_at`, and a payment through it is still flagged and refunded.
 */
export function createCardSessionCloser(deps: { stripe: Stripe; log: Logger }): CardSessionCloser {
  return {
    async closeUnpayable(em, checkoutIds) {
      if (checkoutIds.length === 0) return 0;
      const rows = await em.execute<{ id: string; stripe_session_id: string }[]>(
        `SELECT c.id, c.stripe_session_id FROM checkouts c
          WHERE c.id IN (?) AND c.payment_method = 'card'
            AND c.stripe_session_id IS NOT NULL AND c.stripe_payment_intent_id IS NULL
            AND NOT EXISTS (
              SELECT 1 FROM orders o WHERE o.checkout_id = c.id AND o.status NOT IN ('expired', 'cancelled'))`,
        [[...new Set(checkoutIds)]],
      );
      let expired = 0;
      for (const row of rows) {
        try {
          await deps.stripe.checkout.sessions.expire(row.stripe_session_id);
          expired += 1;
        } catch (error) {
          // Paid or expired meanwhile: nothing left to close (a payment is judged by its webhook as usual).
          if (error instanceof Stripe.errors.StripeInvalidRequestError) continue;
          deps.log.warn(
            { err: error, checkoutId: row.id, sessionId: row.stripe_session_id },
            "could not expire the Stripe session of an unpayable checkout; it closes at its own expiry",
          );
        }
      }
      return expired;
    },
  };
}
