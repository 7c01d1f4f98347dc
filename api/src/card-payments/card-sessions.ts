import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";
import Stripe from "stripe";

import { NotFoundError } from "../errors.js";
import { OrderFollowsChainError, OrderStateError } from "../orders/order-errors.js";
import { PaymentPageClosedError } from "./card-payment-errors.js";

/** A card checkout's Stripe Checkout Sessions, after checkout created them. */
export interface CardSessions {
  /**
   * Where the buyer of an unpaid card order pays it: its checkout's session page, while Stripe keeps it open (the
   * buyer closed the tab, or a card was declined and they left). 404 for anyone else's order.
   */
  paymentUrl(em: EntityManager, buyerId: string, orderId: string): Promise<string>;
  /**
   * Expires the Stripe Checkout Session of each of these checkouts that no order can be paid through any more (every
   * order expired or cancelled, nothing paid). Resolves with how many sessions it expired; never rejects.
   */
  closeUnpayable(em: EntityManager, checkoutIds: readonly string[]): Promise<number>;
}

/**
 * Closing: Stripe keeps a session open for at least 30 minutes, often longer than the stock reservation. Expiring it when the
 * reservation ends means the buyer can no longer pay for stock that was released: the hosted page says the session
 * expired instead of taking money that would then be flagged as late and refunded. Best effort: a session that
 * could not be expired still closes at its own `expires_at`, and a payment through it is still flagged and refunded.
 */
export function createCardSessions(deps: { stripe: Stripe; log: Logger }): CardSessions {
  return {
    async paymentUrl(em, buyerId, orderId) {
      const [row] = await em.execute<{ status: string; payment_method: string; stripe_session_id: string | null }[]>(
        `SELECT o.status, o.payment_method, c.stripe_session_id FROM orders o JOIN checkouts c ON c.id = o.checkout_id
          WHERE o.id = ? AND o.buyer_id = ? AND o.deleted_at IS NULL`,
        [orderId, buyerId],
      );
      if (row === undefined) throw new NotFoundError("No order has this id");
      if (row.payment_method !== "card") throw new OrderFollowsChainError(orderId, "paying by card");
      if (row.status !== "awaiting_payment") throw new OrderStateError(orderId, row.status, ["awaiting_payment"]);
      const session =
        row.stripe_session_id === null
          ? undefined
          : await deps.stripe.checkout.sessions.retrieve(row.stripe_session_id);
      if (session?.status !== "open" || session.url === null) throw new PaymentPageClosedError(orderId);
      return session.url;
    },

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
