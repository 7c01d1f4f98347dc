import { ServiceUnavailableError } from "../../errors.js";
import type { ReleasedPaymentRefund } from "../../escrow/released-payment-refund.js";
import { defineRoute } from "../../http/define-route.js";
import type { OrderService } from "../../orders/order-service.js";
import { checkoutOrders, checkoutParams } from "../../../../protocol/api/checkout.js";
import {
  declineOrderCall,
  flagListQuery,
  flagPage,
  orderDetail,
  orderListQuery,
  orderPage,
  orderParams,
} from "../../../../protocol/api/orders.js";

// Orders are personal: no shared cache may keep them.
const NO_STORE = { "Cache-Control": "no-store" };

/**
 * The buyer's orders, a farm's incoming orders, one order with its timeline, cancelling an unpaid order, and the
 * payment flags admins review.
 */
export function createOrderRoutes({
  orders,
  releasedPaymentRefund,
}: {
  orders: OrderService;
  /** Undefined when no escrow is configured: the route answers 503. */
  releasedPaymentRefund: ReleasedPaymentRefund | undefined;
}) {
  return [
    defineRoute({
      method: "get",
      path: "/api/orders",
      auth: "user",
      summary: "The caller's own orders, newest first",
      tags: ["orders"],
      request: { query: orderListQuery },
      responses: { 200: orderPage },
    }).handle(async ({ query, user, em }) => ({
      status: 200,
      body: await orders.listForBuyer(em, user, query),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "get",
      path: "/api/farmer/orders",
      auth: ["farmer"],
      summary: "Orders placed with the caller's farm, newest first",
      description: "A farmer without a farm gets an empty list.",
      tags: ["orders"],
      request: { query: orderListQuery },
      responses: { 200: orderPage },
    }).handle(async ({ query, user, em }) => ({
      status: 200,
      body: await orders.listForFarmer(em, user, query),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "get",
      path: "/api/checkouts/:id",
      auth: "user",
      summary: "One of the caller's checkouts: its orders as they stand now, with what the buyer may do with each",
      description:
        "The checkout's buyer only (404 for anyone else, as for no checkout). What a checkout page follows while the " +
        "payment is recorded: refetch it on the live stream's `notification` and `chain` events.",
      tags: ["checkout", "orders"],
      request: { params: checkoutParams },
      responses: { 200: checkoutOrders },
    }).handle(async ({ params, user, em }) => ({
      status: 200,
      body: await orders.forCheckout(em, user, params.id),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "get",
      path: "/api/orders/:id",
      auth: "user",
      summary: "One order with its items, flags and timeline",
      description: "For its buyer, its farm's farmer, arbiters and admins; 404 for anyone else.",
      tags: ["orders"],
      request: { params: orderParams },
      responses: { 200: orderDetail },
    }).handle(async ({ params, user, em }) => ({
      status: 200,
      body: await orders.get(em, user, params.id),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "post",
      path: "/api/orders/:id/cancel",
      auth: "user",
      summary: "Cancel an order awaiting payment; its stock returns",
      description:
        "Only the buyer, and only before payment: 409 order_not_cancellable once paid or ended; 409 payment_pending " +
        "while a payment for it is on its way (a transaction the wallet reported, not yet mined or indexed; or an " +
        "escrow order from the buyer's wallet indexed and not yet linked; details.payment says which); 404 for " +
        "someone else's order.",
      tags: ["orders"],
      request: { params: orderParams },
      responses: { 200: orderDetail },
    }).handle(async ({ params, user, em }) => ({
      status: 200,
      body: await orders.cancel(em, user, params.id),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "post",
      path: "/api/orders/:id/escrow-refund",
      auth: ["farmer"],
      summary: "The declineOrder call that refunds a payment which arrived after the order was cancelled or expired",
      description:
        "For the order's farmer (404 for anyone else): a cancelled or expired order whose escrow payment came " +
        "afterwards (paid but cancelled: refund or ship) gets the exact call the farm's payout wallet sends; the " +
        "buyer is credited the whole amount and the order shows refunded once the indexer sees it. 409 " +
        "escrow_refund_unavailable when no payment is linked, the order is not cancelled or expired, or its escrow " +
        "order is no longer funded (details.reason).",
      tags: ["orders"],
      request: { params: orderParams },
      responses: { 200: declineOrderCall },
    }).handle(async ({ params, user, em }) => {
      if (releasedPaymentRefund === undefined) {
        throw new ServiceUnavailableError("No escrow is configured for this chain (ESCROW_ADDRESS)");
      }
      return {
        status: 200,
        body: await releasedPaymentRefund.call(em, user.id, params.id),
        headers: NO_STORE,
      };
    }),

    defineRoute({
      method: "get",
      path: "/api/admin/order-flags",
      auth: ["admin"],
      summary: "Payments not accepted as they stood, newest first",
      description:
        "Wrong amount, seller or token, late payments, second payments, escrow orders whose ref names no order " +
        "(orderId null), and escrow orders from a wallet not linked to the buyer of the order whose ref they carry " +
        "(foreign_payer, orderId null, details.namedOrderId).",
      tags: ["orders", "admin"],
      request: { query: flagListQuery },
      responses: { 200: flagPage },
    }).handle(async ({ query, em }) => ({
      status: 200,
      body: await orders.listFlags(em, query),
      headers: NO_STORE,
    })),
  ];
}
