import { randomUUID } from "node:crypto";

import type { EntityManager } from "@mikro-orm/postgresql";
import type Stripe from "stripe";

import { NotFoundError } from "../errors.js";
import type { NotificationService } from "../notifications/notification-service.js";
import type { RefundStatus } from "../../../protocol/vocabulary/order-vocabulary.js";
import { OrderFollowsChainError, OrderStateError } from "../orders/order-errors.js";
import {
  RefundExceedsRemainingError,
  RefundKeyReusedError,
  RefundPendingError,
  StripeRequestError,
} from "./card-payment-errors.js";
import type { FarmPayouts } from "./farm-payouts.js";
import { isStripeRefusal } from "./is-stripe-refusal.js";
import { STAFF_REFUNDABLE_STATUSES } from "./staff-refundable-statuses.js";
import { lockRefundable, recordCardRefund, rejectRequestedRefund } from "./record-card-refund.js";
import { stripeFailureOf } from "./stripe-failure-of.js";

/** A decision to give a card buyer money back. */
export interface RefundRequest {
  orderId: string;
  amountMinor: number;
  reason: string;
  /** Who decided (null: the system, e.g. a missed deadline). */
  actorId: string | null;
  disputeId?: string | null;
  /**
   * The decision it carries out (`ruling:<dispute id>`, `staff:<actor>:<hash of the request's Idempotency-Key>`,
   * `ship-deadline:<order id>`, …): one refund per key, however often the decision is retried.
   */
  key: string;
}

export interface IssueOptions {
  /**
   * Whether a refusal by Stripe is told to the buyer and flagged for staff: true when nobody is watching the answer or
   * the buyer was already told the money is coming (a ruling, a deadline); false for a staff member asking directly,
   * who sees the refusal in the answer.
   */
  tellIfRefused: boolean;
}

/** Where a refund stands after asking Stripe: `requested` means Stripe's answer is still awaited. */
export interface RefundOutcome {
  refundId: string;
  stripeRefundId: string | null;
  status: RefundStatus;
}

/** Refunds of card orders, for admins, arbiters, the disputes service and the deadline jobs. */
export interface CardRefunds {
  /**
   * Records the refund (or finds the one its key recorded before) in a transaction of its own, commits, then has
   * Stripe issue it. Rejects with RefundPendingError when Stripe's answer does not come (the refund will be issued
   * later, once) and StripeRequestError when Stripe refuses it.
   */
  refund(input: RefundRequest, options: IssueOptions): Promise<RefundOutcome>;
  /**
   * Records the refund in the caller's transaction, so it commits with the decision it belongs to (a ruling); `issue`
   * it after the commit. A request whose key is known returns that refund.
   */
  request(tx: EntityManager, input: RefundRequest): Promise<{ refundId: string; status: RefundStatus }>;
  /**
   * Has Stripe issue a requested refund, under an idempotency key derived from its id (so a retry, a crash or a
   * second click gets the same refund from Stripe), and records the answer. A refund past `requested` is returned as
   * it stands.
   */
  issue(refundId: string, options: IssueOptions): Promise<RefundOutcome>;
  /** Issues every refund still `requested` after `olderThanMs` (its answer was lost, or the process died); how many. */
  issueOutstanding(olderThanMs: number): Promise<number>;
}

/**
 * Refunds part or all of a card order through Stripe: never more than is left (earlier refunds, lost chargebacks and
 * refunds still being requested count), the farm's share reversed in proportion, the order `refunded` once nothing is
 * left. The refund is recorded (committed) before Stripe is asked and recorded again with Stripe's answer; Stripe is
 * never asked while a row lock is held. A refund whose answer was lost is found by the `refund.created` webhook
 * (`metadata.refundId`), by `issueOutstanding`, or by repeating the request.
 */
export function createCardRefunds(deps: {
  stripe: Stripe;
  payouts: FarmPayouts;
  notifications: NotificationService;
  fork: () => EntityManager;
  now?: () => Date;
}): CardRefunds {
  const now = deps.now ?? (() => new Date());

  async function request(tx: EntityManager, input: RefundRequest) {
    const [known] = await tx.execute<{ id: string; order_id: string; amount_minor: string; status: RefundStatus }[]>(
      "SELECT id, order_id, amount_minor, status FROM refunds WHERE idempotency_key = ? FOR UPDATE",
      [input.key],
    );
    if (known !== undefined) {
      if (known.order_id !== input.orderId || Number(known.amount_minor) !== input.amountMinor) {
        throw new RefundKeyReusedError(known.id);
      }
      return { refundId: known.id, status: known.status };
    }
    const order = await lockRefundable(tx, input.orderId);
    if (order === undefined) throw new NotFoundError("No order has this id");
    if (order.paymentMethod !== "card") throw new OrderFollowsChainError(input.orderId, "a refund");
    // An order that expired or was cancelled holds money only when its checkout was paid after all (late).
    const refundable =
      STAFF_REFUNDABLE_STATUSES.includes(order.status) || order.status === "expired" || order.status === "cancelled";
    if (!refundable || order.paymentIntentId === null) {
      throw new OrderStateError(input.orderId, order.status, STAFF_REFUNDABLE_STATUSES);
    }
    const remaining = order.totalMinor - order.refundedMinor;
    if (input.amountMinor > remaining) {
      throw new RefundExceedsRemainingError(input.orderId, input.amountMinor, remaining);
    }
    const refundId = randomUUID();
    await tx.execute(
      `INSERT INTO refunds (id, order_id, amount_minor, reason, actor_id, method, status, dispute_id, idempotency_key)
       VALUES (?, ?, ?, ?, ?, 'card', 'requested', ?, ?)`,
      [refundId, input.orderId, input.amountMinor, input.reason, input.actorId, input.disputeId ?? null, input.key],
    );
    return { refundId, status: "requested" as const };
  }

  async function issue(refundId: string, { tellIfRefused }: IssueOptions): Promise<RefundOutcome> {
    const [row] = await deps.fork().execute<
      {
        order_id: string;
        amount_minor: string;
        reason: string;
        actor_id: string | null;
        dispute_id: string | null;
        status: RefundStatus;
        stripe_refund_id: string | null;
        payment_intent_id: string | null;
      }[]
    >(
      `SELECT r.order_id, r.amount_minor, r.reason, r.actor_id, r.dispute_id, r.status, r.stripe_refund_id,
              c.stripe_payment_intent_id AS payment_intent_id
         FROM refunds r JOIN orders o ON o.id = r.order_id JOIN checkouts c ON c.id = o.checkout_id
        WHERE r.id = ?`,
      [refundId],
    );
    if (row === undefined) throw new NotFoundError("No refund has this id");
    if (row.status !== "requested") {
      return { refundId, stripeRefundId: row.stripe_refund_id, status: row.status };
    }
    const disputeId = row.dispute_id;
    let stripeRefund: Stripe.Refund;
    try {
      stripeRefund = await deps.stripe.refunds.create(
        {
          payment_intent: row.payment_intent_id!,
          amount: Number(row.amount_minor),
          metadata: { refundId, orderId: row.order_id, ...(disputeId === null ? {} : { disputeId }) },
        },
        { idempotencyKey: `refund:${refundId}` },
      );
    } catch (error) {
      if (!isStripeRefusal(error)) throw new RefundPendingError(refundId);
      const failure = stripeFailureOf(error);
      await deps.notifications.transaction(deps.fork(), async (tx, notify) => {
        await lockRefundable(tx, row.order_id);
        await rejectRequestedRefund(tx, { payouts: deps.payouts, notify }, refundId, failure.reason, tellIfRefused);
      });
      throw new StripeRequestError(failure.reason, failure.stripeCode ?? undefined);
    }
    const status = refundStatusOf(stripeRefund);
    await deps.notifications.transaction(deps.fork(), async (tx, notify) => {
      await lockRefundable(tx, row.order_id);
      await recordCardRefund(
        tx,
        { payouts: deps.payouts, notify },
        {
          id: refundId,
          orderId: row.order_id,
          amountMinor: Number(row.amount_minor),
          reason: row.reason,
          actorId: row.actor_id,
          stripeRefundId: stripeRefund.id,
          status,
          disputeId,
          occurredAt: now(),
          failureReason: stripeRefund.failure_reason ?? null,
        },
      );
    });
    return { refundId, stripeRefundId: stripeRefund.id, status };
  }

  return {
    request,
    issue,

    async refund(input, options) {
      const { refundId } = await deps.notifications.transaction(deps.fork(), (tx) => request(tx, input));
      return issue(refundId, options);
    },

    async issueOutstanding(olderThanMs) {
      const due = await deps
        .fork()
        .execute<{ id: string }[]>(
          "SELECT id FROM refunds WHERE status = 'requested' AND created_at <= ? ORDER BY created_at LIMIT 100",
          [new Date(now().getTime() - olderThanMs)],
        );
      let issued = 0;
      for (const { id } of due) {
        try {
          await issue(id, { tellIfRefused: true });
          issued += 1;
        } catch (error) {
          // Refused ones are recorded as rejected by `issue`; unanswered ones stay requested for the next run.
          if (!(error instanceof StripeRequestError) && !(error instanceof RefundPendingError)) throw error;
        }
      }
      return issued;
    },
  };
}

/** Our refund status for what Stripe says of a refund. */
export function refundStatusOf(refund: Stripe.Refund): RefundStatus {
  if (refund.status === "succeeded") return "succeeded";
  if (refund.status === "failed") return "failed";
  if (refund.status === "canceled") return "canceled";
  return "pending";
}
