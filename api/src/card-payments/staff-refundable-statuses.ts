import type { OrderStatus } from "../../../protocol/vocabulary/order-vocabulary.js";

/** Order statuses in which a card order holds the buyer's money, so staff may give some of it back. */
export const STAFF_REFUNDABLE_STATUSES: readonly OrderStatus[] = [
  "paid",
  "shipped",
  "delivered",
  "disputed",
  "resolved",
];
