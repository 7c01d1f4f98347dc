import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { DISPUTE_STATUSES } from "../../../protocol/vocabulary/order-vocabulary.js";
import { oneOfCheck } from "../database/one-of-check.js";
import type { DisputeStatus } from "../../../protocol/vocabulary/order-vocabulary.js";

import { Order } from "./Order.js";
import { User } from "./User.js";

/**
 * A buyer's or farmer's dispute over an order, until it is settled, ruled or withdrawn. The ruling's shares are in the
 * order's minor units; for an escrow order they are recorded when the arbiter asks for the on-chain call and become
 * final (status ruled or settled, `chainTxHash`) only when the indexer reports the escrow's resolution.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const Dispute = defineEntity({
  name: "Dispute",
  tableName: "disputes",
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    order: () => p.manyToOne(Order).deleteRule("cascade").index("disputes_order_id_index"),
    openedBy: () => p.manyToOne(User),
    reason: p.text(),
    status: p.text().$type<DisputeStatus>(),
    openedAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
    resolvedAt: p.datetime().nullable(),
    buyerShareMinor: p.bigint("number").nullable(),
    farmShareMinor: p.bigint("number").nullable(),
    ruledBy: () => p.manyToOne(User).nullable().deleteRule("set null"),
    /** When the arbiter ruled through the API (for an escrow order: asked for the call to send). */
    ruledAt: p.datetime().nullable(),
    /** The escrow's resolution transaction, once indexed. */
    chainTxHash: p.text().nullable(),
    /**
     * A card dispute without a ruling by then gets the escrow's default outcome (the DAO's arbitration timeout from
     * opening); null for escrow disputes, whose deadline is on-chain.
     */
    deadline: p.datetime().nullable(),
    /** Whether the order had shipped when the dispute opened: the default outcome depends on it, as on-chain. */
    shippedBeforeDispute: p.boolean().defaultRaw("false"),
  },
  indexes: [
    { name: "disputes_status_opened_at_index", properties: ["status", "openedAt"] },
    { name: "disputes_status_deadline_index", properties: ["status", "deadline"] },
  ],
  uniques: [{ name: "disputes_order_id_open_unique", properties: ["order"], where: "status = 'open'" }],
  checks: [
    { name: "disputes_status_check", expression: oneOfCheck("status", DISPUTE_STATUSES) },
    {
      name: "disputes_shares_check",
      expression:
        "(buyer_share_minor IS NULL) = (farm_share_minor IS NULL) AND (buyer_share_minor IS NULL OR (buyer_share_minor >= 0 AND farm_share_minor >= 0))",
    },
    { name: "disputes_chain_tx_hash_check", expression: "chain_tx_hash ~ '^0x[0-9a-f]{64}$'" },
  ],
});

export type Dispute = InferEntity<typeof Dispute>;
