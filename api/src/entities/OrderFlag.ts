import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { ORDER_FLAG_KINDS } from "../../../protocol/vocabulary/order-vocabulary.js";
import { oneOfCheck } from "../database/one-of-check.js";
import type { OrderFlagKind } from "../../../protocol/vocabulary/order-vocabulary.js";

import { Order } from "./Order.js";

/**
 * A payment that was not accepted as it stood, for the buyer and an admin to see. `order` is null for an escrow
 * order whose ref names no order. `sourceKey` names the on-chain order and the problem, so a sweep records it once.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const OrderFlag = defineEntity({
  name: "OrderFlag",
  tableName: "order_flags",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    order: () => p.manyToOne(Order).nullable().deleteRule("cascade").index("order_flags_order_id_index"),
    kind: p.text().$type<OrderFlagKind>(),
    details: p.json<Record<string, unknown>>().defaultRaw("'{}'"),
    sourceKey: p.text().unique(),
    createdAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
    resolvedAt: p.datetime().nullable(),
  },
  checks: [{ name: "order_flags_kind_check", expression: oneOfCheck("kind", ORDER_FLAG_KINDS) }],
});

export type OrderFlag = InferEntity<typeof OrderFlag>;
