import { Migration } from "@mikro-orm/migrations";

/**
 * A card refund Stripe reports failed (or cancelled) after it was recorded gives back what recording it took: each
 * refund keeps the farm's share it reversed and, when it made the order `refunded`, the status the order had before,
 * so both can be restored; the order is flagged `refund_failed` for staff, its timeline and its buyer told.
 * Names follow MikroORM's, so the entity/schema diff stays empty.
 */
export class Migration20261204070000_refund_failures extends Migration {
  override name = "Migration20261204070000_refund_failures";

  override up(): void {
    this.addSql(`
      ALTER TABLE refunds
        ADD COLUMN farm_share_reversed_minor bigint NOT NULL DEFAULT 0,
        ADD COLUMN order_status_before text
    `);
    this.addSql("ALTER TABLE refunds ADD CONSTRAINT refunds_farm_share_check CHECK (farm_share_reversed_minor >= 0)");
    this.addSql("ALTER TABLE order_flags DROP CONSTRAINT order_flags_kind_check");
    this.addSql(`
      ALTER TABLE order_flags ADD CONSTRAINT order_flags_kind_check CHECK (kind IN (
        'amount_mismatch', 'seller_mismatch', 'token_mismatch', 'unknown_ref', 'late_payment', 'chargeback',
        'quote_expired', 'refund_failed'
      ))
    `);
    this.addSql("ALTER TABLE order_events DROP CONSTRAINT order_events_kind_check");
    this.addSql(`
      ALTER TABLE order_events ADD CONSTRAINT order_events_kind_check CHECK (kind IN (
        'created', 'cancelled', 'expired', 'paid', 'flagged', 'shipped', 'delivered', 'disputed',
        'settlement_proposed', 'resolved', 'refunded', 'refund_failed', 'payment_failed', 'chargeback_opened',
        'chargeback_closed', 'transferred', 'dispute_opened', 'dispute_message', 'dispute_evidence', 'dispute_ruling'
      ))
    `);
    this.addSql("ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check");
    this.addSql(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('new_order', 'order_paid',
        'shipped', 'delivered', 'dispute_opened', 'dispute_message', 'dispute_resolved', 'refund', 'refund_failed',
        'payment_flagged', 'order_cancelled', 'order_expired'))
    `);
  }

  override down(): void {
    this.addSql("DELETE FROM notifications WHERE kind = 'refund_failed'");
    this.addSql("ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check");
    this.addSql(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('new_order', 'order_paid',
        'shipped', 'delivered', 'dispute_opened', 'dispute_message', 'dispute_resolved', 'refund', 'payment_flagged',
        'order_cancelled', 'order_expired'))
    `);
    this.addSql("DELETE FROM order_events WHERE kind = 'refund_failed'");
    this.addSql("ALTER TABLE order_events DROP CONSTRAINT order_events_kind_check");
    this.addSql(`
      ALTER TABLE order_events ADD CONSTRAINT order_events_kind_check CHECK (kind IN (
        'created', 'cancelled', 'expired', 'paid', 'flagged', 'shipped', 'delivered', 'disputed',
        'settlement_proposed', 'resolved', 'refunded', 'payment_failed', 'chargeback_opened', 'chargeback_closed',
        'transferred', 'dispute_opened', 'dispute_message', 'dispute_evidence', 'dispute_ruling'
      ))
    `);
    this.addSql("DELETE FROM order_flags WHERE kind = 'refund_failed'");
    this.addSql("ALTER TABLE order_flags DROP CONSTRAINT order_flags_kind_check");
    this.addSql(`
      ALTER TABLE order_flags ADD CONSTRAINT order_flags_kind_check CHECK (kind IN (
        'amount_mismatch', 'seller_mismatch', 'token_mismatch', 'unknown_ref', 'late_payment', 'chargeback',
        'quote_expired'
      ))
    `);
    this.addSql("ALTER TABLE refunds DROP CONSTRAINT refunds_farm_share_check");
    this.addSql("ALTER TABLE refunds DROP COLUMN farm_share_reversed_minor, DROP COLUMN order_status_before");
  }
}
