import type { EntityManager } from "@mikro-orm/postgresql";
import type Stripe from "stripe";

import type { PaymentStarter } from "../checkout/payment-starters.js";

/** Stripe accepts a Checkout Session's `expires_at` between 30 minutes and 24 hours after it is created. */
const MIN_SESSION_SECONDS = 30 * 60 + 60;
const MAX_SESSION_SECONDS = 24 * 60 * 60 - 60;

/**
 * The card starter: one Stripe Checkout Session per checkout, a line per order ("Order from <farm>"), expiring with the
 * reservation (clamped to what Stripe allows). The session id is kept on the checkout, so a replay retrieves it rather
 * than creating another; the creation itself carries an idempotency key derived from the checkout id and parameters
 * derived only from stored data, so two replays racing each other get the same session from Stripe.
 */
export function createStripeCardPaymentStarter(deps: {
  stripe: Stripe;
  /** Base of the success and cancel URLs (the web app). */
  webAppUrl: string;
  fork: () => EntityManager;
}): PaymentStarter {
  const { stripe, webAppUrl } = deps;
  return {
    async start(checkout) {
      const em = deps.fork();
      const [row] = await em.execute<{ stripe_session_id: string | null; created_at: Date }[]>(
        "SELECT stripe_session_id, created_at FROM checkouts WHERE id = ?",
        [checkout.checkoutId],
      );
      if (row.stripe_session_id !== null) {
        const session = await stripe.checkout.sessions.retrieve(row.stripe_session_id);
        return { paymentMethod: "card", card: { redirectUrl: session.url } };
      }
      const farms = await em.execute<{ id: string; name: string }[]>("SELECT id, name FROM farms WHERE id IN (?)", [
        [...new Set(checkout.orders.map((order) => order.farmId))],
      ]);
      const farmName = new Map(farms.map((farm) => [farm.id, farm.name]));
      const created = Math.floor(new Date(row.created_at).getTime() / 1000);
      const deadline = Math.floor(checkout.expiresAt.getTime() / 1000);
      const expiresAt = Math.min(Math.max(deadline, created + MIN_SESSION_SECONDS), created + MAX_SESSION_SECONDS);
      const currency = checkout.currency.toLowerCase();
      const session = await stripe.checkout.sessions.create(
        {
          mode: "payment",
          line_items: checkout.orders.map((order) => ({
            quantity: 1,
            price_data: {
              currency,
              unit_amount: order.totalMinor,
              product_data: { name: `Order from ${farmName.get(order.farmId) ?? "a farm"}` },
            },
          })),
          client_reference_id: checkout.checkoutId,
          metadata: { checkoutId: checkout.checkoutId },
          payment_intent_data: {
            metadata: { checkoutId: checkout.checkoutId },
            transfer_group: checkout.checkoutId,
          },
          expires_at: expiresAt,
          success_url: `${webAppUrl}/checkout/${checkout.checkoutId}/done?session_id={CHECKOUT_SESSION_ID}`,
          cancel_url: `${webAppUrl}/cart`,
        },
        { idempotencyKey: `checkout-session:${checkout.checkoutId}` },
      );
      await em.execute("UPDATE checkouts SET stripe_session_id = ? WHERE id = ? AND stripe_session_id IS NULL", [
        session.id,
        checkout.checkoutId,
      ]);
      return { paymentMethod: "card", card: { redirectUrl: session.url } };
    },
  };
}
