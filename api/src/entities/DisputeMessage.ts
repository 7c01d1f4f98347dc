import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { Dispute } from "./Dispute.js";
import { User } from "./User.js";

/**
 * One message in a dispute's thread, from a party or an arbiter. The author becomes null if their account goes.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const DisputeMessage = defineEntity({
  name: "DisputeMessage",
  tableName: "dispute_messages",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    dispute: () => p.manyToOne(Dispute).deleteRule("cascade"),
    author: () => p.manyToOne(User).nullable().deleteRule("set null"),
    body: p.text(),
    createdAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
  },
  indexes: [{ name: "dispute_messages_dispute_id_id_index", properties: ["dispute", "id"] }],
  checks: [{ name: "dispute_messages_body_check", expression: "length(body) >= 1 AND length(body) <= 5000" }],
});

export type DisputeMessage = InferEntity<typeof DisputeMessage>;
