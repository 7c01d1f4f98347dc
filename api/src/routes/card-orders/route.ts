import { createHash } from "node:crypto";

import type { CardPayments } from "../../card-payments/card-payments.js";
import { ServiceUnavailableError } from "../../errors.js";
import { defineRoute } from "../../http/define-route.js";
import type { OrderService } from "../../orders/order-service.js";
import { orderDetail, orderParams } from "../../../../protocol/api/orders.js";
import { IDEMPOTENCY_KEY_HEADER, requireIdempotencyKey } from "../require-idempotency-key.js";
import { paymentPage, refundBody, refundResult } from "../../../../protocol/api/card-orders.js";

const NO_STORE = { "Cache-Control": "no-store" };

/** Card orders after payment: the farm ships, the buyer confirms, staff refund. Escrow orders follow the chain. */
export function createCardOrderRoutes({
  card,
  orders,
}: {
  card: CardPayments | undefined;
  /** How a shipped or confirmed order is answered: as GET /api/orders/:id answers its caller. */
  orders: Pick<OrderService, "get">;
}) {
  const enabled = (): CardPayments => {
    if (card === undefined) throw new ServiceUnavailableError("Card payments are not configured (STRIPE_SECRET_KEY)");
    return card;
  };
  return [
    defineRoute({
      method: "get",
      path: "/api/orders/:id/payment-page",
      auth: "user",
      summary: "Where the buyer pays an unpaid card order: its Stripe Checkout page, while Stripe keeps it open",
      description:
        "The buyer only (404 for anyone else). 409 payment_page_closed once the page expired or the checkout ended " +
        "(check out again), 409 order_state_conflict unless awaiting payment, 409 order_follows_chain for escrow orders.",
      tags: ["orders"],
      request: { params: orderParams },
      responses: { 200: paymentPage },
    }).handle(async ({ params, user, em }) => ({
      status: 200,
      body: { url: await enabled().sessions.paymentUrl(em, user.id, params.id) },
      headers: NO_STORE,
    })),

    defineRoute({
      method: "post",
      path: "/api/orders/:id/ship",
      auth: ["farmer"],
      summary: "Mark a paid card order shipped",
      description:
        "The order's farm's farmer only (404 for another farm's order). 409 order_follows_chain for escrow orders, " +
        "409 order_state_conflict unless the order is paid.",
      tags: ["orders"],
      request: { params: orderParams },
      responses: { 200: orderDetail },
    }).handle(async ({ params, user, em }) => {
      await enabled().delivery.ship(user.id, params.id);
      return { status: 200, body: await orders.get(em, user, params.id), headers: NO_STORE };
    }),

    defineRoute({
      method: "post",
      path: "/api/orders/:id/confirm",
      auth: "user",
      summary: "Confirm a shipped card order delivered; the farm is then paid",
      description:
        "The buyer only (404 for anyone else). The farm's share (total − fee) is transferred to its connected " +
        "account, or accrued as a payable until it has one. 409 order_follows_chain for escrow orders, 409 " +
        "order_state_conflict unless shipped. Unconfirmed orders are confirmed after the escrow's confirm window.",
      tags: ["orders"],
      request: { params: orderParams },
      responses: { 200: orderDetail },
    }).handle(async ({ params, user, em }) => {
      await enabled().delivery.confirm(user.id, params.id);
      return { status: 200, body: await orders.get(em, user, params.id), headers: NO_STORE };
    }),

    defineRoute({
      method: "post",
      path: "/api/orders/:id/refunds",
      auth: ["admin", "arbiter"],
      summary: "Refund part or all of a card order through Stripe",
      description:
        `Requires the ${IDEMPOTENCY_KEY_HEADER} header: the refund is recorded under it before Stripe is asked, so ` +
        "repeating the request (a retry, a second click, after a crash) gives the same refund and never a second " +
        "one; the same key for another order or amount is 422 idempotency_key_reused. Never more than is left (409 " +
        "refund_exceeds_remaining); the farm's share is reversed in proportion (if the farm's Stripe balance cannot " +
        "give it back, it becomes a debt netted from the farm's next payouts and the order is flagged farm_debt); the " +
        "order becomes refunded once nothing is left. 503 refund_pending when Stripe did not answer: the refund is " +
        "issued later, once, and repeating is safe. 502 stripe_error when Stripe refused it (nothing moved). 409 " +
        "order_follows_chain for escrow orders, 409 order_state_conflict before payment, 404 for no order.",
      tags: ["orders", "admin"],
      request: { params: orderParams, body: refundBody },
      responses: { 201: refundResult },
    }).handle(async ({ params, body, user, ctx }) => {
      const keyHash = createHash("sha256").update(requireIdempotencyKey(ctx)).digest("hex");
      const refund = await enabled().refunds.refund(
        {
          orderId: params.id,
          amountMinor: body.amountMinor,
          reason: body.reason,
          actorId: user.id,
          key: `staff:${user.id}:${keyHash}`,
        },
        { tellIfRefused: false },
      );
      return { status: 201, body: refund, headers: NO_STORE };
    }),
  ];
}
