import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import { Order } from "../entities/Order.js";
import { NotFoundError } from "../errors.js";
import type { NotificationService, Notify } from "../notifications/notification-service.js";
import { OrderFollowsChainError, OrderStateError } from "../orders/order-errors.js";
import { recordOrderEvent } from "../orders/record-order-event.js";
import { ShipDeadlinePassedError } from "./card-payment-errors.js";
import type { CardRefunds } from "./card-refunds.js";
import type { FarmPayouts } from "./farm-payouts.js";
import { lockRefundable } from "./record-card-refund.js";

export interface CardDelivery {
  /** The farm's farmer marks a paid card order shipped, by its ship deadline; 404 for another farm's order. */
  ship(farmerId: string, orderId: string): Promise<void>;
  /** The buyer confirms a shipped card order delivered; the farm's share is then paid out (or accrued). */
  confirm(buyerId: string, orderId: string): Promise<void>;
  /** Confirms, as the buyer would, a shipped card order whose confirm window has passed; false if it was not due. */
  autoConfirm(orderId: string): Promise<boolean>;
  /**
   * Refunds in full, as the escrow does when its ship deadline passes, a paid card order its farm did not ship in
   * time, and tells both sides; true when this call decided it (false if it was not due, or decided before).
   */
  refundUnshipped(orderId: string): Promise<boolean>;
}

/**
 * Delivery of card orders through the API (escrow orders follow the chain and are refused with 409). Confirming
 * accrues the farm's payable in the same transaction, then transfers it within that transaction when the farm's
 * connected account is ready (idempotent per order); a failed transfer leaves the payable accrued for the next try.
 */
export function createCardDelivery(deps: {
  notifications: NotificationService;
  payouts: FarmPayouts;
  refunds: Pick<CardRefunds, "request" | "issue">;
  fork: () => EntityManager;
  now?: () => Date;
}): CardDelivery {
  const now = deps.now ?? (() => new Date());

  async function lockOrder(tx: EntityManager, orderId: string): Promise<Order | null> {
    return tx.findOne(
      Order,
      { id: orderId, deletedAt: null },
      { populate: ["farm"], lockMode: LockMode.PESSIMISTIC_WRITE },
    );
  }

  async function deliver(
    tx: EntityManager,
    notify: Notify,
    order: Order,
    actorId: string | null,
    autoConfirmed: boolean,
  ): Promise<void> {
    order.status = "delivered";
    order.deliveredAt = now();
    await tx.flush();
    await recordOrderEvent(tx, {
      orderId: order.id,
      kind: "delivered",
      occurredAt: now(),
      actorId,
      data: { autoConfirmed },
      sourceKey: `api:order:${order.id}:delivered`,
    });
    notify({ userId: order.farm.owner.id, kind: "delivered", orderId: order.id, data: { autoConfirmed } });
    if (autoConfirmed)
      notify({ userId: order.buyer.id, kind: "delivered", orderId: order.id, data: { autoConfirmed } });
    await deps.payouts.accrue(tx, order.id);
  }

  async function payOut(orderId: string): Promise<void> {
    // After the delivery committed: a Stripe failure here leaves the payable accrued, never the delivery undone.
    await deps
      .fork()
      .transactional((tx) => deps.payouts.payOrder(tx, orderId))
      .catch(() => undefined);
  }

  return {
    async ship(farmerId, orderId) {
      await deps.notifications.transaction(deps.fork(), async (tx, notify) => {
        const order = await lockOrder(tx, orderId);
        if (order === null || order.farm.owner.id !== farmerId) throw new NotFoundError("No order has this id");
        if (order.paymentMethod !== "card") throw new OrderFollowsChainError(orderId, "shipping");
        if (order.status !== "paid") throw new OrderStateError(orderId, order.status, ["paid"]);
        const at = now();
        if (order.shipBy != null && at > order.shipBy) throw new ShipDeadlinePassedError(orderId, order.shipBy);
        order.status = "shipped";
        order.shippedAt = at;
        await tx.flush();
        await recordOrderEvent(tx, {
          orderId,
          kind: "shipped",
          occurredAt: now(),
          actorId: farmerId,
          data: {},
          sourceKey: `api:order:${orderId}:shipped`,
        });
        notify({ userId: order.buyer.id, kind: "shipped", orderId, data: {} });
      });
    },

    async confirm(buyerId, orderId) {
      await deps.notifications.transaction(deps.fork(), async (tx, notify) => {
        const order = await lockOrder(tx, orderId);
        if (order === null || order.buyer.id !== buyerId) throw new NotFoundError("No order has this id");
        if (order.paymentMethod !== "card") throw new OrderFollowsChainError(orderId, "confirming delivery");
        if (order.status !== "shipped") throw new OrderStateError(orderId, order.status, ["shipped"]);
        await deliver(tx, notify, order, buyerId, false);
      });
      await payOut(orderId);
    },

    async refundUnshipped(orderId) {
      const due = await deps.notifications.transaction(deps.fork(), async (tx, notify) => {
        const order = await lockOrder(tx, orderId);
        const at = now();
        if (order?.paymentMethod !== "card" || order.status !== "paid" || order.shipBy == null || at <= order.shipBy) {
          return undefined;
        }
        const refundable = await lockRefundable(tx, orderId);
        const left = refundable === undefined ? 0 : refundable.totalMinor - refundable.refundedMinor;
        const requested =
          left > 0
            ? await deps.refunds.request(tx, {
                orderId,
                amountMinor: left,
                reason: "not shipped by the ship deadline",
                actorId: null,
                key: `ship-deadline:${orderId}`,
              })
            : undefined;
        const data = { shipBy: order.shipBy.toISOString(), refundMinor: left, currency: order.currency };
        const first = await recordOrderEvent(tx, {
          orderId,
          kind: "ship_deadline_passed",
          occurredAt: at,
          actorId: null,
          data,
          sourceKey: `api:order:${orderId}:ship_deadline_passed`,
        });
        if (first) {
          notify({ userId: order.buyer.id, kind: "ship_deadline_passed", orderId, data });
          notify({ userId: order.farm.owner.id, kind: "ship_deadline_passed", orderId, data });
        }
        return { refundId: requested?.refundId ?? null, first };
      });
      if (due === undefined) return false;
      // Issued even when another run decided it (its process may have died before asking Stripe): under one key.
      if (due.refundId !== null) await deps.refunds.issue(due.refundId, { tellIfRefused: true });
      return due.first;
    },

    async autoConfirm(orderId) {
      const delivered = await deps.notifications.transaction(deps.fork(), async (tx, notify) => {
        const order = await lockOrder(tx, orderId);
        if (order === null || order.paymentMethod !== "card" || order.status !== "shipped") return false;
        await deliver(tx, notify, order, null, true);
        return true;
      });
      if (delivered) await payOut(orderId);
      return delivered;
    },
  };
}
