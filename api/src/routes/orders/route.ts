import { defineRoute } from "../../define-route.js";
import type { OrderService } from "../../services/order-service.js";
import { flagListQuery, flagPage, orderDetail, orderListQuery, orderPage, orderParams } from "./schemas.js";

// Orders are personal: no shared cache may keep them.
const NO_STORE = { "Cache-Control": "no-store" };

/**
 * The buyer's orders, a farm's incoming orders, one order with its timeline, cancelling an unpaid order, and the
 * payment flags admins review.
 */
export function createOrderRoutes({ orders }: { orders: OrderService }) {
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
      body: await orders.listForBuyer(em, user.id, query),
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
      body: await orders.listForFarmer(em, user.id, query),
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
        "Only the buyer, and only before payment: 409 order_not_cancellable once paid or ended; 404 for someone " +
        "else's order.",
      tags: ["orders"],
      request: { params: orderParams },
      responses: { 200: orderDetail },
    }).handle(async ({ params, user, em }) => ({
      status: 200,
      body: await orders.cancel(em, user.id, params.id),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "get",
      path: "/api/admin/order-flags",
      auth: ["admin"],
      summary: "Payments not accepted as they stood, newest first",
      description:
        "Wrong amount, seller or token, late payments, and escrow orders whose ref names no order (orderId null).",
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
