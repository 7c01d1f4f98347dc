/**
 * Where an order stands, whichever way it was paid. awaiting_payment: stock reserved, no payment yet; paid: the money
 * is held (escrow funded, card captured); shipped, delivered: the farm shipped, the buyer confirmed (or the confirm
 * window passed); disputed, resolved: a dispute opened, and was settled or ruled; refunded: the buyer got the money
 * back; cancelled: the buyer gave up before paying; expired: the reservation ran out before payment.
 */
export const ORDER_STATUSES = [
  "awaiting_payment",
  "paid",
  "shipped",
  "delivered",
  "disputed",
  "resolved",
  "refunded",
  "cancelled",
  "expired",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses in which the order's stock is still only reserved, and may be returned. */
export const UNPAID_ORDER_STATUSES = ["awaiting_payment"] as const satisfies readonly OrderStatus[];

/** How a checkout is paid: into the on-chain escrow from the buyer's wallet, or by card through Stripe. */
export const PAYMENT_METHODS = ["escrow", "card"] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * What can appear on an order's timeline. The chain's transitions (paid … refunded) are recorded once per indexed
 * event; `flagged` records a payment that did not match the order and was not accepted; `paid_late` an escrow payment
 * that arrived after the order's stock was released (cancelled or expired), linked to the order so the buyer keeps
 * control of it and the farm refunds or ships; `fee_corrected` the platform fee taken from what the escrow order
 * snapshotted on-chain when it differed from the checkout's. The dispute_* entries are the API's own record of a
 * dispute (opened, a message posted, evidence added, an arbiter's ruling); a message's body stays with the dispute,
 * which only its parties and arbiters may read.
 */
export const ORDER_EVENT_KINDS = [
  "created",
  "cancelled",
  "expired",
  "paid",
  "flagged",
  "shipped",
  "delivered",
  "disputed",
  "settlement_proposed",
  "resolved",
  "refunded",
  "refund_failed",
  "payment_failed",
  "chargeback_opened",
  "chargeback_closed",
  "transferred",
  "dispute_opened",
  "dispute_message",
  "dispute_evidence",
  "dispute_ruling",
  "ship_deadline_passed",
  "farm_debt",
  "debt_netted",
  "paid_late",
  "fee_corrected",
] as const;
export type OrderEventKind = (typeof ORDER_EVENT_KINDS)[number];

/**
 * Why a payment was not accepted as the order's: it paid another amount, another seller or token than the order
 * asks for, it names a ref no order has, it arrived after the reservation expired or the order was cancelled, or (paid
 * in ETH) after the price quote it was paid at expired (those two are linked to the order nonetheless: `paid_late`),
 * the order was already paid by another escrow order (`duplicate_payment`), or it came from a wallet not linked to the
 * order's buyer (`foreign_payer`: recorded without an order, ignored, nobody notified, so a stranger reusing a ref
 * can neither pay nor block nor flag someone else's order); or the card holder's bank opened a chargeback on it; or a
 * card refund that was recorded failed at the bank (or Stripe refused it), so the buyer still waits for that money; or
 * the farm's share of a card refund could not be taken back from its Stripe account, so the farm owes it (netted from
 * its next payouts).
 */
export const ORDER_FLAG_KINDS = [
  "amount_mismatch",
  "seller_mismatch",
  "token_mismatch",
  "unknown_ref",
  "late_payment",
  "chargeback",
  "quote_expired",
  "refund_failed",
  "farm_debt",
  "duplicate_payment",
  "foreign_payer",
] as const;
export type OrderFlagKind = (typeof ORDER_FLAG_KINDS)[number];

/**
 * Where money returned to a card buyer stands. requested: the decision to refund is recorded and Stripe is being (or
 * will again be) asked, under an idempotency key derived from the decision, so it is issued at most once; pending,
 * succeeded: Stripe accepted it; failed, canceled: the bank or Stripe gave it up after accepting it; rejected: Stripe
 * refused the request, so no money moved; lost: a chargeback the platform lost (its Stripe id is the dispute's).
 */
export const REFUND_STATUSES = ["requested", "pending", "succeeded", "failed", "canceled", "rejected", "lost"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** Refund statuses that count as returned (or promised) to the buyer: never refunded again. */
export const COUNTED_REFUND_STATUSES = [
  "requested",
  "pending",
  "succeeded",
  "lost",
] as const satisfies readonly RefundStatus[];

/**
 * What a farm owes the platform for one card refund whose farm share could not be reversed from its Stripe account.
 * unconfirmed: the reversal's outcome is unknown (no answer from Stripe), to be asked again under the same key;
 * owed: Stripe refused the reversal, so the share is netted from the farm's next payouts; settled: recovered in full
 * (netted, or reversed after all); cancelled: the refund itself failed, so nothing was owed.
 */
export const FARM_DEBT_STATUSES = ["unconfirmed", "owed", "settled", "cancelled"] as const;
export type FarmDebtStatus = (typeof FARM_DEBT_STATUSES)[number];

/**
 * What became of a payment transaction the buyer's wallet reported (POST /api/checkouts/:id/payment-transactions),
 * once its receipt was read: `paid` mined and succeeded, sent to the escrow; `failed` reverted; `unrelated` mined but
 * not sent to the escrow. Null (not in the list) while no receipt is known.
 */
export const PAYMENT_TRANSACTION_OUTCOMES = ["paid", "failed", "unrelated"] as const;
export type PaymentTransactionOutcome = (typeof PAYMENT_TRANSACTION_OUTCOMES)[number];

/**
 * Where a dispute stands. open: waiting for the parties and an arbiter (an escrow ruling sent but not yet indexed is
 * still open, with its shares recorded); settled: the parties agreed on-chain; ruled: an arbiter's ruling (or the
 * escrow's timeout default) took effect; withdrawn: the party who opened it gave it up.
 */
export const DISPUTE_STATUSES = ["open", "settled", "ruled", "withdrawn"] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** How someone takes part in a dispute: one of the order's two sides, or an arbiter. */
export const DISPUTE_PARTIES = ["buyer", "farmer", "arbiter"] as const;
export type DisputeParty = (typeof DISPUTE_PARTIES)[number];

/** What a piece of dispute evidence is: a written statement, or a photo (stored re-encoded in the photo store). */
export const DISPUTE_EVIDENCE_KINDS = ["text", "photo"] as const;
export type DisputeEvidenceKind = (typeof DISPUTE_EVIDENCE_KINDS)[number];
