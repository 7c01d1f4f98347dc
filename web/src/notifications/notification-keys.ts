/** The translation key of each notification kind; a kind the web app does not know yet shows as "other". */
export const NOTIFICATION_KEYS: Readonly<Record<string, string>> = {
  new_order: "notifications.kind.new_order",
  order_paid: "notifications.kind.order_paid",
  shipped: "notifications.kind.shipped",
  delivered: "notifications.kind.delivered",
  dispute_opened: "notifications.kind.dispute_opened",
  dispute_message: "notifications.kind.dispute_message",
  dispute_resolved: "notifications.kind.dispute_resolved",
  settlement_proposed: "notifications.kind.settlement_proposed",
  refund: "notifications.kind.refund",
  refund_failed: "notifications.kind.refund_failed",
  payment_flagged: "notifications.kind.payment_flagged",
  order_cancelled: "notifications.kind.order_cancelled",
  order_expired: "notifications.kind.order_expired",
  ship_deadline_passed: "notifications.kind.ship_deadline_passed",
};
