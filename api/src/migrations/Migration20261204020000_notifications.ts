import { Migration } from "@mikro-orm/migrations";

/**
 * In-app notifications. `order_id` has no foreign key yet: the orders table arrives in another migration, which adds
 * it. The partial index serves a user's unread notifications newest first; the full one, the whole list and the
 * replay of what a reconnecting event stream missed.
 */
export class Migration20261204020000_notifications extends Migration {
  override name = "Migration20261204020000_notifications";

  override up(): void {
    this.addSql(`
      CREATE TABLE notifications (
        id bigserial PRIMARY KEY,
        user_id uuid NOT NULL,
        kind text NOT NULL,
        order_id uuid,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        CONSTRAINT notifications_user_id_foreign FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT notifications_kind_check CHECK (kind IN ('new_order', 'order_paid', 'shipped', 'delivered',
          'dispute_opened', 'dispute_message', 'dispute_resolved', 'refund', 'payment_flagged', 'order_cancelled',
          'order_expired')),
        CONSTRAINT notifications_data_check CHECK (jsonb_typeof(data) = 'object')
      )
    `);
    this.addSql("CREATE INDEX notifications_user_id_id_index ON notifications (user_id, id)");
    this.addSql("CREATE INDEX notifications_user_id_unread_index ON notifications (user_id, id) WHERE read_at IS NULL");
    this.addSql("CREATE INDEX notifications_order_id_index ON notifications (order_id)");
  }

  override down(): void {
    this.addSql("DROP TABLE notifications");
  }
}
