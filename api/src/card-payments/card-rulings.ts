import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";

import { RefundPendingError, StripeRequestError } from "./card-payment-errors.js";
import type { CardRefunds, RefundOutcome } from "./card-refunds.js";
import type { FarmPayouts } from "./farm-payouts.js";

/** A dispute ruling over a card order, in the order's minor units. */
export interface CardRuling {
  orderId: string;
  disputeId: string;
  buyerShareMinor: number;
  reason: string;
  /** The arbiter; null for the default outcome when the dispute's deadline passed. */
  actorId: string | null;
}

/**
 * What a ruling on a card dispute does with the money: the buyer's share goes back by card and the farm's share is
 * paid as a delivery would pay it (its part of the total less the fee on that part), so nothing stays with the
 * platform without an owner, whatever the order's state when the dispute opened.
 */
export interface CardRulings {
  /**
   * In the ruling's transaction: records the buyer's refund (keyed by the dispute, so a repeated ruling finds it) and
   * accrues the farm's payable, less that refund, if the order has none yet (it was never delivered). Returns the
   * refund to issue after the commit.
   */
  record(tx: EntityManager, ruling: CardRuling): Promise<{ refundId: string | null }>;
  /**
   * After the commit: has Stripe issue the refund and pays the farm's payable. A refund Stripe refused (rejected and
   * flagged for staff) or did not answer (issued later by the card job) is reported in the outcome, not thrown: the
   * ruling stands either way.
   */
  carryOut(orderId: string, refundId: string | null): Promise<RefundOutcome | null>;
}

export function createCardRulings(deps: {
  refunds: Pick<CardRefunds, "request" | "issue">;
  payouts: FarmPayouts;
  fork: () => EntityManager;
  log: Logger;
}): CardRulings {
  return {
    async record(tx, ruling) {
      const refund =
        ruling.buyerShareMinor > 0
          ? await deps.refunds.request(tx, {
              orderId: ruling.orderId,
              amountMinor: ruling.buyerShareMinor,
              reason: `dispute ruling: ${ruling.reason}`.slice(0, 500),
              actorId: ruling.actorId,
              disputeId: ruling.disputeId,
              key: `ruling:${ruling.disputeId}`,
            })
          : undefined;
      await deps.payouts.accrue(tx, ruling.orderId);
      return { refundId: refund?.refundId ?? null };
    },

    async carryOut(orderId, refundId) {
      let outcome: RefundOutcome | null = null;
      if (refundId !== null) {
        try {
          outcome = await deps.refunds.issue(refundId, { tellIfRefused: true });
        } catch (error) {
          if (error instanceof RefundPendingError) {
            outcome = { refundId, stripeRefundId: null, status: "requested" };
          } else if (error instanceof StripeRequestError) {
            outcome = { refundId, stripeRefundId: null, status: "rejected" };
          } else {
            throw error;
          }
        }
      }
      // A Stripe failure here leaves the payable accrued for the card job to pay, never the ruling undone.
      await deps
        .fork()
        .transactional((tx) => deps.payouts.payOrder(tx, orderId))
        .catch((error: unknown) => deps.log.warn({ err: error, orderId }, "paying a ruled order's farm failed"));
      return outcome;
    },
  };
}
