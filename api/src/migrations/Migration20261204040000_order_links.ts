import { Migration } from "@mikro-orm/migrations";

/**
 * Notifications name their order by a foreign key now that the orders table exists (the notifications migration ran
 * beside it without one). Orders are never deleted with an account, but if one ever is, its notifications stay and
 * lose only the link.
 */
export class Migration20261204040000_order_links extends Migration {
  override name = "Migration20261204040000_order_links";

  override up(): void {
    this.addSql(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_order_id_foreign
        FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE SET NULL
    `);
  }

  override down(): void {
    this.addSql("ALTER TABLE notifications DROP CONSTRAINT notifications_order_id_foreign");
  }
}
