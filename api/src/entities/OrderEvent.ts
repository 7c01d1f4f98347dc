import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { ORDER_EVENT_KINDS } from "../../../protocol/vocabulary/order-vocabulary.js";
import { oneOfCheck } from "../database/one-of-check.js";
import type { OrderEventKind } from "../../../protocol/vocabulary/order-vocabulary.js";

import { Order } from "./Order.js";
import { User } from "./User.js";

/**
 * One entry of an order's timeline. `sourceKey` names what caused it (a chain log, a Stripe event, an API action),
 * and is unique, so applying the same cause twice records it once.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const OrderEvent = defineEntity({
  name: "OrderEvent",
  tableName: "order_events",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    order: () => p.manyToOne(Order).deleteRule("cascade"),
    kind: p.text().$type<OrderEventKind>(),
    occurredAt: p.datetime(),
    /** The user who acted through the API; null for the system and for the chain (its actor is in `data`). */
    actor: () => p.manyToOne(User).nullable().deleteRule("set null").index("order_events_actor_id_index"),
    data: p.json<Record<string, unknown>>().defaultRaw("'{}'"),
    sourceKey: p.text().unique(),
  },
  indexes: [{ name: "order_events_order_id_occurred_at_id_index", properties: ["order", "occurredAt", "id"] }],
  checks: [{ name: "order_events_kind_check", expression: oneOfCheck("kind", ORDER_EVENT_KINDS) }],
});

export type OrderEvent = InferEntity<typeof OrderEvent>;
