import type { OrderFlag } from "../../../protocol/api/orders";
import type { EscrowOrderState } from "../../../protocol/escrow/order-state";
import type { OrderStatus } from "../../../protocol/vocabulary/order-vocabulary";

/** The translation key of each order status. */
export const STATUS_KEYS: Readonly<Record<OrderStatus, string>> = {
  awaiting_payment: "orders.status.awaiting_payment",
  paid: "orders.status.paid",
  shipped: "orders.status.shipped",
  delivered: "orders.status.delivered",
  disputed: "orders.status.disputed",
  resolved: "orders.status.resolved",
  refunded: "orders.status.refunded",
  cancelled: "orders.status.cancelled",
  expired: "orders.status.expired",
};

/** The translation key of each kind of timeline event; a kind the web app does not know yet shows as "other". */
export const EVENT_KEYS: Readonly<Record<string, string>> = {
  created: "orders.event.created",
  cancelled: "orders.event.cancelled",
  expired: "orders.event.expired",
  paid: "orders.event.paid",
  payment_failed: "orders.event.payment_failed",
  flagged: "orders.event.flagged",
  shipped: "orders.event.shipped",
  delivered: "orders.event.delivered",
  disputed: "orders.event.disputed",
  dispute_opened: "orders.event.dispute_opened",
  dispute_message: "orders.event.dispute_message",
  dispute_evidence: "orders.event.dispute_evidence",
  dispute_ruling: "orders.event.dispute_ruling",
  settlement_proposed: "orders.event.settlement_proposed",
  resolved: "orders.event.resolved",
  refunded: "orders.event.refunded",
  refund_failed: "orders.event.refund_failed",
  ship_deadline_passed: "orders.event.ship_deadline_passed",
  farm_debt: "orders.event.farm_debt",
  debt_netted: "orders.event.debt_netted",
  paid_late: "orders.event.paid_late",
  fee_corrected: "orders.event.fee_corrected",
};

/** The translation key of each reason a payment was flagged. */
export const FLAG_KEYS: Readonly<Record<OrderFlag["kind"], string>> = {
  amount_mismatch: "orders.flag.amount_mismatch",
  seller_mismatch: "orders.flag.seller_mismatch",
  token_mismatch: "orders.flag.token_mismatch",
  unknown_ref: "orders.flag.unknown_ref",
  late_payment: "orders.flag.late_payment",
  chargeback: "orders.flag.chargeback",
  quote_expired: "orders.flag.quote_expired",
  refund_failed: "orders.flag.refund_failed",
  farm_debt: "orders.flag.farm_debt",
  duplicate_payment: "orders.flag.duplicate_payment",
  foreign_payer: "orders.flag.foreign_payer",
};

/** The translation key of each state of an escrow order. */
export const ESCROW_STATE_KEYS: Readonly<Record<EscrowOrderState, string>> = {
  Funded: "escrow.state.Funded",
  Shipped: "escrow.state.Shipped",
  Completed: "escrow.state.Completed",
  Refunded: "escrow.state.Refunded",
  Disputed: "escrow.state.Disputed",
  Resolved: "escrow.state.Resolved",
};
