import { Migration } from "@mikro-orm/migrations";

/**
 * Disputes on orders, their message threads and evidence, and the timeline entries they add. At most one dispute of
 * an order is open at a time (a partial unique index), which is what makes opening one safe under concurrency.
 * Names follow MikroORM's, so the entity/schema diff stays empty.
 */
export class Migration20261204050000_disputes extends Migration {
  override name = "Migration20261204050000_disputes";

  override up(): void {
    this.addSql(`
      CREATE TABLE disputes (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL,
        opened_by_id uuid NOT NULL,
        reason text NOT NULL,
        status text NOT NULL,
        opened_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz,
        buyer_share_minor bigint,
        farm_share_minor bigint,
        ruled_by_id uuid,
        ruled_at timestamptz,
        chain_tx_hash text,
        CONSTRAINT disputes_order_id_foreign FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
        CONSTRAINT disputes_opened_by_id_foreign FOREIGN KEY (opened_by_id) REFERENCES users (id),
        CONSTRAINT disputes_ruled_by_id_foreign FOREIGN KEY (ruled_by_id) REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT disputes_status_check CHECK (status IN ('open', 'settled', 'ruled', 'withdrawn')),
        CONSTRAINT disputes_shares_check CHECK (
          (buyer_share_minor IS NULL) = (farm_share_minor IS NULL)
          AND (buyer_share_minor IS NULL OR (buyer_share_minor >= 0 AND farm_share_minor >= 0))
        ),
        CONSTRAINT disputes_chain_tx_hash_check CHECK (chain_tx_hash ~ '^0x[0-9a-f]{64}$')
      )
    `);
    this.addSql("CREATE INDEX disputes_order_id_index ON disputes (order_id)");
    this.addSql("CREATE INDEX disputes_status_opened_at_index ON disputes (status, opened_at)");
    this.addSql("CREATE UNIQUE INDEX disputes_order_id_open_unique ON disputes (order_id) WHERE status = 'open'");
    this.addSql(`
      CREATE TABLE dispute_messages (
        id bigserial PRIMARY KEY,
        dispute_id uuid NOT NULL,
        author_id uuid,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT dispute_messages_dispute_id_foreign FOREIGN KEY (dispute_id) REFERENCES disputes (id)
          ON DELETE CASCADE,
        CONSTRAINT dispute_messages_author_id_foreign FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT dispute_messages_body_check CHECK (length(body) >= 1 AND length(body) <= 5000)
      )
    `);
    this.addSql("CREATE INDEX dispute_messages_dispute_id_id_index ON dispute_messages (dispute_id, id)");
    this.addSql(`
      CREATE TABLE dispute_evidence (
        id bigserial PRIMARY KEY,
        dispute_id uuid NOT NULL,
        uploader_id uuid,
        kind text NOT NULL,
        text text,
        photo_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT dispute_evidence_dispute_id_foreign FOREIGN KEY (dispute_id) REFERENCES disputes (id)
          ON DELETE CASCADE,
        CONSTRAINT dispute_evidence_uploader_id_foreign FOREIGN KEY (uploader_id) REFERENCES users (id)
          ON DELETE SET NULL,
        CONSTRAINT dispute_evidence_kind_check CHECK (kind IN ('text', 'photo')),
        CONSTRAINT dispute_evidence_content_check CHECK (
          (kind = 'text' AND text IS NOT NULL AND photo_key IS NULL)
          OR (kind = 'photo' AND photo_key ~ '^[a-f0-9]{32}$')
        )
      )
    `);
    this.addSql("CREATE INDEX dispute_evidence_dispute_id_id_index ON dispute_evidence (dispute_id, id)");
    this.addSql("ALTER TABLE order_events DROP CONSTRAINT order_events_kind_check");
    this.addSql(`
      ALTER TABLE order_events ADD CONSTRAINT order_events_kind_check CHECK (kind IN (
        'created', 'cancelled', 'expired', 'paid', 'flagged', 'shipped', 'delivered', 'disputed',
        'settlement_proposed', 'resolved', 'refunded', 'payment_failed', 'chargeback_opened', 'chargeback_closed',
        'transferred', 'dispute_opened', 'dispute_message', 'dispute_evidence', 'dispute_ruling'
      ))
    `);
  }

  override down(): void {
    this.addSql("DELETE FROM order_events WHERE kind LIKE 'dispute\\_%'");
    this.addSql("ALTER TABLE order_events DROP CONSTRAINT order_events_kind_check");
    this.addSql(`
      ALTER TABLE order_events ADD CONSTRAINT order_events_kind_check CHECK (kind IN (
        'created', 'cancelled', 'expired', 'paid', 'flagged', 'shipped', 'delivered', 'disputed',
        'settlement_proposed', 'resolved', 'refunded', 'payment_failed', 'chargeback_opened', 'chargeback_closed',
        'transferred'
      ))
    `);
    this.addSql("DROP TABLE dispute_evidence");
    this.addSql("DROP TABLE dispute_messages");
    this.addSql("DROP TABLE disputes");
  }
}
