import { randomUUID } from "node:crypto";

import type { EntityManager } from "@mikro-orm/postgresql";
import Stripe from "stripe";

import { NotFoundError } from "../errors.js";
import type { FarmPayouts } from "./farm-payouts.js";
import type { NotificationService, Notify } from "./notification-service.js";
import {
  OrderFollowsChainError,
  OrderStateError,
  RefundExceedsRemainingError,
  StripeRequestError,
} from "./order-errors.js";
import { lockRefundable, recordCardRefund } from "./record-card-refund.js";

/** Refunds of card orders, for admins, arbiters and the disputes service (an arbiter's ruling). */
export interface CardRefunds {
  /**
   * `within` runs the refund in the caller's transaction (and its notifications with it): a ruling that holds the
   * dispute's and the order's row locks would otherwise wait forever on a second transaction needing them.
   */
  refund(
    input: {
      orderId: string;
      amountMinor: number;
      reason: string;
      actorId: string | null;
      disputeId?: string | null;
    },
    within?: { tx: EntityManager; notify: Notify },
  ): Promise<{ refundId: string; stripeRefundId: string }>;
}

/** Order statuses in which a card order holds the buyer's money, so some of it can go back. */
const REFUNDABLE_STATUSES = ["paid", "shipped", "delivered", "disputed", "resolved"];

/**
 * Refunds part or all of a card order through Stripe: never more than is left (earlier refunds and lost chargebacks
 * count), the farm's share reversed in proportion, the order `refunded` once nothing is left. Refunds of one order are
 * serialized by its row lock, held across the Stripe call; the call's idempotency key is the new refund's id, and the
 * refund carries `metadata.refundId`, so if the commit fails after Stripe refunded, the `refund.created` webhook
 * records it under the same id.
 */
export function createCardRefunds(deps: {
  stripe: Stripe;
  payouts: FarmPayouts;
  notifications: NotificationService;
  fork: () => EntityManager;
  now?: () => Date;
}): CardRefunds {
  const now = deps.now ?? (() => new Date());
  return {
    refund(input, within) {
      const run = async (tx: EntityManager, notify: Notify) => {
        const order = await lockRefundable(tx, input.orderId);
        if (order === undefined) throw new NotFoundError("No order has this id");
        if (order.paymentMethod !== "card") throw new OrderFollowsChainError(input.orderId, "a refund");
        if (!REFUNDABLE_STATUSES.includes(order.status) || order.paymentIntentId === null) {
          throw new OrderStateError(input.orderId, order.status, REFUNDABLE_STATUSES);
        }
        const remaining = order.totalMinor - order.refundedMinor;
        if (input.amountMinor > remaining) {
          throw new RefundExceedsRemainingError(input.orderId, input.amountMinor, remaining);
        }
        const refundId = randomUUID();
        const disputeId = input.disputeId ?? null;
        let stripeRefund: Stripe.Refund;
        try {
          stripeRefund = await deps.stripe.refunds.create(
            {
              payment_intent: order.paymentIntentId,
              amount: input.amountMinor,
              metadata: { refundId, orderId: input.orderId, ...(disputeId === null ? {} : { disputeId }) },
            },
            { idempotencyKey: `refund:${refundId}` },
          );
        } catch (error) {
          if (error instanceof Stripe.errors.StripeInvalidRequestError) {
            throw new StripeRequestError(error.message, error.code);
          }
          throw error;
        }
        await recordCardRefund(
          tx,
          { payouts: deps.payouts, notify },
          {
            id: refundId,
            orderId: input.orderId,
            amountMinor: input.amountMinor,
            reason: input.reason,
            actorId: input.actorId,
            stripeRefundId: stripeRefund.id,
            status: stripeRefund.status === "succeeded" ? "succeeded" : "pending",
            disputeId,
            occurredAt: now(),
          },
        );
        return { refundId, stripeRefundId: stripeRefund.id };
      };
      return within === undefined ? deps.notifications.transaction(deps.fork(), run) : run(within.tx, within.notify);
    },
  };
}
