import { LockMode } from "@mikro-orm/core";
import type { EntityManager, FilterQuery } from "@mikro-orm/postgresql";
import type { z } from "zod";

import type { checkoutOrders } from "../../../protocol/api/checkout.js";
import type { flagPage, orderPage } from "../../../protocol/api/orders.js";
import type { PaymentInFlightGuard } from "../checkout/payment-in-flight-guard.js";
import { Checkout } from "../entities/Checkout.js";
import { Farm } from "../entities/Farm.js";
import { Order } from "../entities/Order.js";
import { OrderFlag } from "../entities/OrderFlag.js";
import { NotFoundError } from "../errors.js";
import type { NotificationService } from "../notifications/notification-service.js";
import { decodeOrderCursor, encodeOrderCursor } from "./order-cursor.js";
import { OrderNotCancellableError, PaymentPendingError } from "./order-errors.js";
import type { OrderViewer } from "./order-actions.js";
import type { OrderDetail } from "./order-view.js";
import type { OrderViews } from "./order-views.js";
import { releaseOrderStock } from "./release-order-stock.js";

export type OrderPage = z.input<typeof orderPage>;

/** A checkout's orders as its buyer follows them while paying. */
export type CheckoutOrders = z.input<typeof checkoutOrders>;

/** A flag as an admin reviews it: which order (null for an unknown ref) and what was wrong. */
export type FlagView = z.input<typeof flagPage>["flags"][number];

export type { OrderViewer };

export interface OrderService {
  /** The buyer's own orders, newest first. */
  listForBuyer(em: EntityManager, buyer: OrderViewer, page: { limit: number; cursor?: string }): Promise<OrderPage>;
  /** The orders placed with the farmer's farm, newest first; none when the farmer has no farm. */
  listForFarmer(em: EntityManager, farmer: OrderViewer, page: { limit: number; cursor?: string }): Promise<OrderPage>;
  /** The orders of one of the buyer's checkouts, as they stand now; 404 for anyone else's, as for none. */
  forCheckout(em: EntityManager, buyer: OrderViewer, checkoutId: string): Promise<CheckoutOrders>;
  /** One order, for its buyer, its farm's farmer, an arbiter or an admin; 404 for anyone else, as for no order. */
  get(em: EntityManager, viewer: OrderViewer, orderId: string): Promise<OrderDetail>;
  /**
   * The buyer cancels an order that is still awaiting payment, and for which no payment is on its way (409
   * payment_pending otherwise); its stock returns.
   */
  cancel(em: EntityManager, buyer: OrderViewer, orderId: string): Promise<OrderDetail>;
  /** Payment flags, newest first, for admins; `cursor` is the id of the last flag of the previous page. */
  listFlags(
    em: EntityManager,
    page: { limit: number; cursor?: string; unresolved: boolean },
  ): Promise<{ flags: FlagView[]; nextCursor: string | null }>;
}

/** Reading and cancelling orders. */
export function createOrderService(deps: {
  /** How orders are answered: with their escrow order and what the viewer may do. */
  views: OrderViews;
  /** What stops a cancel: the same guard the reservation expiry job obeys. */
  paymentInFlight: PaymentInFlightGuard;
  onStockChanged: () => Promise<void>;
  /** A cancelled order's buyer is told (on every device), after the commit. */
  notifications: Pick<NotificationService, "transaction">;
  /** Told when a buyer cancelled a card order, after the commit (the checkout's Stripe session can be closed). */
  onCardOrderCancelled?: (em: EntityManager, checkoutId: string) => Promise<unknown>;
  now?: () => Date;
}): OrderService {
  const now = deps.now ?? (() => new Date());

  async function page(
    em: EntityManager,
    viewer: OrderViewer,
    where: FilterQuery<Order>,
    { limit, cursor }: { limit: number; cursor?: string },
  ): Promise<OrderPage> {
    const after = cursor === undefined ? undefined : decodeOrderCursor(cursor);
    const filter: FilterQuery<Order> =
      after === undefined
        ? where
        : {
            $and: [
              where,
              {
                $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }],
              },
            ],
          };
    const orders = await em.find(Order, filter, {
      populate: ["farm"],
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      limit: limit + 1,
    });
    const more = orders.length > limit;
    const shown = orders.slice(0, limit);
    const last = shown.at(-1);
    return {
      orders: await deps.views.summarize(em, shown, viewer),
      nextCursor: more && last !== undefined ? encodeOrderCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }

  async function visibleOrder(em: EntityManager, viewer: OrderViewer, orderId: string): Promise<Order> {
    const order = await em.findOne(Order, { id: orderId, deletedAt: null }, { populate: ["farm"] });
    const staff = viewer.roles.includes("admin") || viewer.roles.includes("arbiter");
    if (order === null || !(staff || order.buyer.id === viewer.id || order.farm.owner.id === viewer.id)) {
      throw new NotFoundError("No order has this id");
    }
    return order;
  }

  return {
    listForBuyer: (em, buyer, options) => page(em, buyer, { buyer: buyer.id, deletedAt: null }, options),

    async listForFarmer(em, farmer, options) {
      const farm = await em.findOne(Farm, { owner: farmer.id }, { fields: ["id"] });
      if (farm === null) return { orders: [], nextCursor: null };
      return page(em, farmer, { farm: farm.id, deletedAt: null }, options);
    },

    async forCheckout(em, buyer, checkoutId) {
      const checkout = await em.findOne(Checkout, { id: checkoutId, buyer: buyer.id });
      if (checkout === null) throw new NotFoundError("No checkout has this id");
      const orders = await em.find(
        Order,
        { checkout: checkoutId, deletedAt: null },
        { populate: ["farm"], orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
      );
      return {
        checkoutId,
        paymentMethod: checkout.paymentMethod,
        expiresAt: checkout.expiresAt.toISOString(),
        orders: await deps.views.summarize(em, orders, buyer),
      };
    },

    async get(em, viewer, orderId) {
      return deps.views.describe(em, await visibleOrder(em, viewer, orderId), viewer);
    },

    async listFlags(em, { limit, cursor, unresolved }) {
      const where: FilterQuery<OrderFlag> = {
        ...(unresolved ? { resolvedAt: null } : {}),
        ...(cursor === undefined ? {} : { id: { $lt: Number(cursor) } }),
      };
      const flags = await em.find(OrderFlag, where, { orderBy: { id: "desc" }, limit: limit + 1 });
      const shown = flags.slice(0, limit);
      return {
        flags: shown.map((flag) => ({
          id: String(flag.id),
          orderId: flag.order?.id ?? null,
          kind: flag.kind,
          details: flag.details,
          createdAt: flag.createdAt.toISOString(),
          resolvedAt: flag.resolvedAt?.toISOString() ?? null,
        })),
        nextCursor: flags.length > limit ? String(shown[shown.length - 1].id) : null,
      };
    },

    async cancel(em, buyer, orderId) {
      const buyerId = buyer.id;
      const cancelled = await deps.notifications.transaction(em, async (tx, notify) => {
        const order = await tx.findOne(
          Order,
          { id: orderId, buyer: buyerId, deletedAt: null },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (order === null) throw new NotFoundError("No order has this id");
        if (order.status !== "awaiting_payment") throw new OrderNotCancellableError(order.id, order.status);
        const at = now();
        const payment = (await deps.paymentInFlight.check(tx, [order], at)).get(order.id);
        if (payment !== undefined) throw new PaymentPendingError(order.id, payment);
        await releaseOrderStock(tx, order, { status: "cancelled", actorId: buyerId, at });
        notify({ userId: buyerId, kind: "order_cancelled", orderId: order.id, data: { by: "buyer" } });
        return order;
      });
      await deps.onStockChanged();
      if (cancelled.paymentMethod === "card") await deps.onCardOrderCancelled?.(em.fork(), cancelled.checkout.id);
      const read = em.fork();
      return deps.views.describe(read, await read.findOneOrFail(Order, { id: orderId }, { populate: ["farm"] }), buyer);
    },
  };
}
