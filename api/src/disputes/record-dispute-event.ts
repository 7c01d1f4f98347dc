import type { EntityManager } from "@mikro-orm/postgresql";

import type { Order } from "../entities/Order.js";
import { OrderEvent } from "../entities/OrderEvent.js";
import { User } from "../entities/User.js";

/** Adds a dispute's step to its order's timeline, in the caller's transaction (written at its next flush). */
export function recordDisputeEvent(
  tx: EntityManager,
  event: {
    order: Order;
    kind: "dispute_opened" | "dispute_message" | "dispute_evidence" | "dispute_ruling";
    actorId: string | null;
    data: Record<string, unknown>;
    sourceKey: string;
    occurredAt: Date;
  },
): void {
  tx.create(OrderEvent, {
    order: event.order,
    kind: event.kind,
    occurredAt: event.occurredAt,
    actor: event.actorId === null ? null : tx.getReference(User, event.actorId),
    data: event.data,
    sourceKey: event.sourceKey,
  });
}
