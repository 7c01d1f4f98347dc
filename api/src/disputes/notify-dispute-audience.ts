import type { EntityManager } from "@mikro-orm/postgresql";

import type { Order } from "../entities/Order.js";
import type { Notify } from "../notifications/notification-service.js";
import { disputeAudience } from "./dispute-audience.js";
import type { DisputeParty } from "../../../protocol/vocabulary/order-vocabulary.js";

/** Tells everyone concerned with the order's dispute but the actor, who knows already. */
export async function notifyDisputeAudience(
  tx: EntityManager,
  notify: Notify,
  order: Order,
  actorId: string,
  message:
    | { kind: "dispute_opened"; data: { openedBy: DisputeParty; reason: string } }
    | { kind: "dispute_message"; data: { from: DisputeParty; excerpt: string } }
    | { kind: "dispute_resolved"; data: { buyerMinor: number; farmerMinor: number; currency: string } },
): Promise<void> {
  for (const userId of await disputeAudience(tx, order)) {
    if (userId !== actorId) notify({ userId, orderId: order.id, ...message });
  }
}
