import type { CheckoutService } from "../../checkout/checkout-service.js";
import type { PaymentTransactions } from "../../checkout/payment-transactions.js";
import { defineRoute } from "../../http/define-route.js";
import { IDEMPOTENCY_KEY_HEADER as HEADER, requireIdempotencyKey } from "../require-idempotency-key.js";
import {
  checkoutBody,
  checkoutParams,
  checkoutResult,
  paymentTransaction,
  paymentTransactionBody,
} from "../../../../protocol/api/checkout.js";

/**
 * Checkout: the signed-in buyer's cart becomes one order per farm, paid into escrow or by card; the wallet reports
 * the payment transaction it sent.
 */
export function createCheckoutRoutes({
  checkouts,
  paymentTransactions,
}: {
  checkouts: CheckoutService;
  paymentTransactions: PaymentTransactions;
}) {
  return [
    defineRoute({
      method: "post",
      path: "/api/checkout",
      auth: "user",
      summary: "Check out the caller's cart: one order per farm, stock reserved until paid or expired",
      description:
        `Requires the ${HEADER} header (1 to 255 visible ASCII characters; 400 without it). Repeating a request ` +
        "with the same key returns the same checkout with the same status and creates nothing (Idempotent-Replayed: " +
        "true); the same key with a different body is 422 idempotency_key_reused. A checkout that fails creates " +
        "nothing, so its key may be retried. 422 cart_empty for an empty cart, 422 payment_method_unavailable " +
        "(eth without a price feed, escrow without a configured escrow, card without STRIPE_SECRET_KEY), 503 " +
        "price_feed_unusable (eth while the feed's latest round is stale, incomplete or not positive; details.problem), " +
        "409 insufficient_stock " +
        "(details.lines: productId, name, requested, available; nothing is reserved), 409 too_many_open_checkouts " +
        "(the buyer already has CHECKOUT_MAX_OPEN_PER_BUYER checkouts awaiting payment; details.openCheckoutIds), " +
        "409 stock_share_exceeded (the buyer would hold unpaid more than CHECKOUT_MAX_STOCK_SHARE_PERCENT of a " +
        "product's units; details.lines: productId, name, requested, held, allowed), 409 product_not_on_sale, " +
        "409 farm_payout_wallet_missing (escrow and eth), 503 while the platform fee is unknown. For escrow and " +
        "eth, the response holds exactly what the wallet sends (eth: the call's value in wei, and the price quote " +
        "with its expiry); for card, card.redirectUrl is the Stripe Checkout page " +
        "(the same session on every repeat).",
      tags: ["checkout"],
      request: { body: checkoutBody },
      responses: { 201: checkoutResult },
    }).handle(async ({ body, user, em, ctx }) => {
      const { replayed, result } = await checkouts.checkout(em, {
        buyerId: user.id,
        paymentMethod: body.paymentMethod,
        idempotencyKey: requireIdempotencyKey(ctx),
      });
      return {
        status: 201,
        body: result,
        headers: { "Cache-Control": "no-store", ...(replayed ? { "Idempotent-Replayed": "true" } : {}) },
      };
    }),

    defineRoute({
      method: "post",
      path: "/api/checkouts/:id/payment-transactions",
      auth: "user",
      summary: "Report the transaction the buyer's wallet sent to pay an escrow checkout",
      description:
        "Only the checkout's buyer (404 for anyone else), only for escrow and eth checkouts (409 " +
        "not_an_escrow_checkout), at most 5 per checkout (409 too_many_payment_transactions); reporting the same " +
        "hash again returns the first report. While a reported transaction is pending (its receipt unknown, or mined " +
        "into the escrow but not yet indexed), and for ESCROW_PAYMENT_PENDING_SECONDS at most, the checkout's orders " +
        "are neither cancelled (409 payment_pending) nor expired.",
      tags: ["checkout"],
      request: { params: checkoutParams, body: paymentTransactionBody },
      responses: { 200: paymentTransaction },
    }).handle(async ({ params, body, user, em }) => ({
      status: 200,
      body: await paymentTransactions.report(em, user.id, params.id, body.txHash),
      headers: { "Cache-Control": "no-store" },
    })),
  ];
}
