import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { DISPUTE_EVIDENCE_KINDS } from "../../../protocol/vocabulary/order-vocabulary.js";
import { oneOfCheck } from "../database/one-of-check.js";
import type { DisputeEvidenceKind } from "../../../protocol/vocabulary/order-vocabulary.js";

import { Dispute } from "./Dispute.js";
import { User } from "./User.js";

/**
 * One piece of evidence in a dispute: a written statement, or a photo checked and re-encoded like product photos
 * (`photoKey` names its renditions in the evidence store, which is never served publicly). A photo is removed when
 * the dispute's retention ends or its uploader deletes the account: `photoRemovedAt` is set at once and the files
 * are deleted after, `photoKey` becoming null once they are gone.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const DisputeEvidence = defineEntity({
  name: "DisputeEvidence",
  tableName: "dispute_evidence",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    dispute: () => p.manyToOne(Dispute).deleteRule("cascade"),
    uploader: () => p.manyToOne(User).nullable().deleteRule("set null"),
    kind: p.text().$type<DisputeEvidenceKind>(),
    text: p.text().nullable(),
    photoKey: p.text().nullable(),
    /** Stored before evidence had a store of its own: still in the public photo store, until moved. */
    photoInPublicStore: p.boolean().default(false),
    photoRemovedAt: p.datetime().nullable(),
    createdAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
  },
  indexes: [{ name: "dispute_evidence_dispute_id_id_index", properties: ["dispute", "id"] }],
  checks: [
    { name: "dispute_evidence_kind_check", expression: oneOfCheck("kind", DISPUTE_EVIDENCE_KINDS) },
    {
      name: "dispute_evidence_content_check",
      expression:
        "(kind = 'text' AND text IS NOT NULL AND photo_key IS NULL AND photo_removed_at IS NULL) OR (kind = 'photo' AND (photo_key ~ '^[a-f0-9]{32}$' OR photo_removed_at IS NOT NULL))",
    },
  ],
});

export type DisputeEvidence = InferEntity<typeof DisputeEvidence>;
