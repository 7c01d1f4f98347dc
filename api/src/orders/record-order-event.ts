import type { EntityManager } from "@mikro-orm/postgresql";

import type { OrderEventKind } from "../../../protocol/vocabulary/order-vocabulary.js";

/**
 * Adds an entry to an order's timeline unless one with the same `sourceKey` exists; true when it was added. Callers
 * notify only then, so a cause applied twice (a redelivered webhook, a retried job) is shown and announced once.
 */
export async function recordOrderEvent(
  tx: EntityManager,
  event: {
    orderId: string;
    kind: OrderEventKind;
    occurredAt: Date;
    actorId: string | null;
    data: Record<string, unknown>;
    sourceKey: string;
  },
): Promise<boolean> {
  const rows = await tx.execute<{ id: string }[]>(
    `INSERT INTO order_events (order_id, kind, occurred_at, actor_id, data, source_key)
     VALUES (?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT (source_key) DO NOTHING RETURNING id`,
    [event.orderId, event.kind, event.occurredAt, event.actorId, JSON.stringify(event.data), event.sourceKey],
  );
  return rows.length > 0;
}
