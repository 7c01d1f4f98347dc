import { z } from "zod";

import { BPS } from "../escrow/basis-points.js";
import { DISPUTE_PARTIES, PAYMENT_METHODS } from "../vocabulary/order-vocabulary.js";
import { bytes32 } from "./hex-strings.js";
const minor = z.number().int().nonnegative();
const currency = z.string().regex(/^[A-Z]{3}$/);
const paymentMethod = z.enum(PAYMENT_METHODS);
const party = z.enum(DISPUTE_PARTIES);
const txHash = bytes32;

/**
 * What each kind of notification carries besides its order (the `order_id` column). The data is what a notification
 * list shows without loading the order; anything longer (a dispute's evidence, the order's lines) is fetched from
 * the order when the user opens it. Invariant: the kinds here and the `notifications_kind_check` constraint of the
 * migrations list the same names (test/api/entities.test.ts diffs them); a new kind needs a migration.
 */
export const NOTIFICATION_KINDS = {
  /** To the farm's owner: a buyer checked out an order from the farm. */
  new_order: z.strictObject({ farmId: z.uuid(), totalMinor: minor, currency, itemCount: z.number().int().positive() }),
  /** To the buyer and the farmer: the payment arrived (escrow funded on-chain, or card payment succeeded). */
  order_paid: z.strictObject({ method: paymentMethod, totalMinor: minor, currency, txHash: txHash.optional() }),
  shipped: z.strictObject({ txHash: txHash.optional() }),
  delivered: z.strictObject({ txHash: txHash.optional(), autoConfirmed: z.boolean() }),
  dispute_opened: z.strictObject({ openedBy: party, reason: z.string().min(1).max(500) }),
  /** `excerpt` is the start of the message, for the list; the thread lives with the dispute. */
  dispute_message: z.strictObject({ from: party, excerpt: z.string().min(1).max(200) }),
  dispute_resolved: z.strictObject({ buyerMinor: minor, farmerMinor: minor, currency }),
  /** To the other side of an escrow dispute: a party proposed on-chain to give the buyer `buyerBps` of the amount. */
  settlement_proposed: z.strictObject({
    by: z.enum(["buyer", "farmer"]),
    buyerBps: z.number().int().min(0).max(BPS),
    txHash: txHash.optional(),
  }),
  refund: z.strictObject({ amountMinor: minor, currency, full: z.boolean(), method: paymentMethod }),
  /** To the buyer: a card refund announced earlier failed at the bank; staff were flagged to issue it again. */
  refund_failed: z.strictObject({ amountMinor: minor, currency }),
  /**
   * To the buyer and admins: a payment did not match its order and was held, not accepted. A `late_payment` in escrow
   * is linked to the order all the same, and its farm's owner is told too: the farm refunds it or ships.
   */
  payment_flagged: z.strictObject({
    reason: z.enum([
      "wrong_amount",
      "wrong_seller",
      "wrong_token",
      "unknown_ref",
      "late_payment",
      "wrong_currency",
      "chargeback",
      "duplicate_payment",
    ]),
    method: paymentMethod,
  }),
  order_cancelled: z.strictObject({ by: z.enum(["buyer", "farmer", "system"]) }),
  /** The reservation ran out before payment came; the stock went back on sale. */
  order_expired: z.strictObject({}),
  /**
   * To the buyer and the farmer: a paid card order was not shipped by its deadline, so what was left of it is refunded
   * (as the escrow refunds an unshipped order); `shipBy` is when the deadline fell.
   */
  ship_deadline_passed: z.strictObject({ shipBy: z.iso.datetime(), refundMinor: minor, currency }),
} as const;

export type NotificationKind = keyof typeof NOTIFICATION_KINDS;

export const NOTIFICATION_KIND_NAMES = Object.keys(NOTIFICATION_KINDS) as NotificationKind[];

/** The data a notification of kind `K` carries, as its schema accepts it. */
export type NotificationData<K extends NotificationKind> = z.input<(typeof NOTIFICATION_KINDS)[K]>;

/** One notification to send: the kind and its data travel together, so TypeScript checks one against the other. */
export type NotificationInput = {
  [K in NotificationKind]: { userId: string; kind: K; orderId: string | null; data: NotificationData<K> };
}[NotificationKind];
