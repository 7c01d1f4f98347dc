import { Migration } from "@mikro-orm/migrations";

/**
 * Escrow money stays under its buyer's control. A buyer's wallet reports the payment transaction it sent
 * (`payment_transactions`), so cancelling and expiring wait while it is pending; a payment that arrives after the
 * order's stock was released is linked to the order (`paid_late`); the fee the escrow snapshotted wins over the
 * checkout's (`fee_corrected`); a second payment of a paid order is flagged `duplicate_payment`, and one from a wallet
 * not linked to the order's buyer `foreign_payer`; a settlement proposed on-chain is told to the other side.
 * Names follow MikroORM's, so the entity/schema diff stays empty.
 */
export class Migration20261207020000_escrow_payment_safety extends Migration {
  override name = "Migration20261207020000_escrow_payment_safety";

  override up(): void {
    this.addSql(`
      CREATE TABLE payment_transactions (
        id bigserial PRIMARY KEY,
        checkout_id uuid NOT NULL,
        tx_hash text NOT NULL,
        reported_at timestamptz NOT NULL DEFAULT now(),
        outcome text,
        mined_block bigint,
        CONSTRAINT payment_transactions_checkout_id_tx_hash_unique UNIQUE (checkout_id, tx_hash),
        CONSTRAINT payment_transactions_checkout_id_foreign FOREIGN KEY (checkout_id) REFERENCES checkouts (id)
          ON DELETE CASCADE,
        CONSTRAINT payment_transactions_tx_hash_check CHECK (tx_hash ~ '^0x[0-9a-f]{64}$'),
        CONSTRAINT payment_transactions_outcome_check CHECK (outcome IN ('paid', 'failed', 'unrelated')),
        CONSTRAINT payment_transactions_mined_check CHECK ((outcome IS NULL) = (mined_block IS NULL))
      )
    `);
    this.addSql("ALTER TABLE order_flags DROP CONSTRAINT order_flags_kind_check");
    this.addSql(`
      ALTER TABLE order_flags ADD CONSTRAINT order_flags_kind_check CHECK (kind IN (
        'amount_mismatch', 'seller_mismatch', 'token_mismatch', 'unknown_ref', 'late_payment', 'chargeback',
        'quote_expired', 'refund_failed', 'farm_debt', 'duplicate_payment', 'foreign_payer'
      ))
    `);
    this.addSql("ALTER TABLE order_events DROP CONSTRAINT order_events_kind_check");
    this.addSql(`
      ALTER TABLE order_events ADD CONSTRAINT order_events_kind_check CHECK (kind IN (
        'created', 'cancelled', 'expired', 'paid', 'flagged', 'shipped', 'delivered', 'disputed',
        'settlement_proposed', 'resolved', 'refunded', 'refund_failed', 'payment_failed', 'chargeback_opened',
        'chargeback_closed', 'transferred', 'dispute_opened', 'dispute_message', 'dispute_evidence', 'dispute_ruling',
        'ship_deadline_passed', 'farm_debt', 'debt_netted', 'paid_late', 'fee_corrected'
      ))
    `);
    this.addSql("ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check");
    this.addSql(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('new_order', 'order_paid',
        'shipped', 'delivered', 'dispute_opened', 'dispute_message', 'dispute_resolved', 'settlement_proposed',
        'refund', 'refund_failed', 'payment_flagged', 'order_cancelled', 'order_expired', 'ship_deadline_passed'))
    `);
  }

  override down(): void {
    this.addSql("DELETE FROM notifications WHERE kind = 'settlement_proposed'");
    this.addSql("ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check");
    this.addSql(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('new_order', 'order_paid',
        'shipped', 'delivered', 'dispute_opened', 'dispute_message', 'dispute_resolved', 'refund', 'refund_failed',
        'payment_flagged', 'order_cancelled', 'order_expired', 'ship_deadline_passed'))
    `);
    this.addSql("DELETE FROM order_events WHERE kind IN ('paid_late', 'fee_corrected')");
    this.addSql("ALTER TABLE order_events DROP CONSTRAINT order_events_kind_check");
    this.addSql(`
      ALTER TABLE order_events ADD CONSTRAINT order_events_kind_check CHECK (kind IN (
        'created', 'cancelled', 'expired', 'paid', 'flagged', 'shipped', 'delivered', 'disputed',
        'settlement_proposed', 'resolved', 'refunded', 'refund_failed', 'payment_failed', 'chargeback_opened',
        'chargeback_closed', 'transferred', 'dispute_opened', 'dispute_message', 'dispute_evidence', 'dispute_ruling',
        'ship_deadline_passed', 'farm_debt', 'debt_netted'
      ))
    `);
    this.addSql("DELETE FROM order_flags WHERE kind IN ('duplicate_payment', 'foreign_payer')");
    this.addSql("ALTER TABLE order_flags DROP CONSTRAINT order_flags_kind_check");
    this.addSql(`
      ALTER TABLE order_flags ADD CONSTRAINT order_flags_kind_check CHECK (kind IN (
        'amount_mismatch', 'seller_mismatch', 'token_mismatch', 'unknown_ref', 'late_payment', 'chargeback',
        'quote_expired', 'refund_failed', 'farm_debt'
      ))
    `);
    this.addSql("DROP TABLE payment_transactions");
  }
}
