import { Migration } from "@mikro-orm/migrations";

/**
 * Checkouts and the orders they create (one per farm), with their items, timelines and payment flags. Names follow
 * MikroORM's, so the entity/schema diff stays empty.
 */
export class Migration20261204010000_orders extends Migration {
  override name = "Migration20261204010000_orders";

  override up(): void {
    this.addSql(`
      CREATE TABLE checkouts (
        id uuid PRIMARY KEY,
        buyer_id uuid NOT NULL,
        payment_method text NOT NULL,
        idempotency_key_hash text NOT NULL,
        request_fingerprint text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        CONSTRAINT checkouts_buyer_id_idempotency_key_hash_unique UNIQUE (buyer_id, idempotency_key_hash),
        CONSTRAINT checkouts_buyer_id_foreign FOREIGN KEY (buyer_id) REFERENCES users (id),
        CONSTRAINT checkouts_payment_method_check CHECK (payment_method IN ('escrow', 'card')),
        CONSTRAINT checkouts_idempotency_key_hash_check CHECK (idempotency_key_hash ~ '^[0-9a-f]{64}$')
      )
    `);
    this.addSql(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY,
        checkout_id uuid NOT NULL,
        farm_id uuid NOT NULL,
        buyer_id uuid NOT NULL,
        status text NOT NULL,
        currency text NOT NULL,
        subtotal_minor bigint NOT NULL,
        fee_bps integer NOT NULL,
        fee_minor bigint NOT NULL,
        total_minor bigint NOT NULL,
        payment_method text NOT NULL,
        escrow_ref text,
        escrow_seller text,
        escrow_amount text,
        escrow_order_id text,
        expires_at timestamptz NOT NULL,
        paid_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT orders_escrow_ref_unique UNIQUE (escrow_ref),
        CONSTRAINT orders_checkout_id_foreign FOREIGN KEY (checkout_id) REFERENCES checkouts (id),
        CONSTRAINT orders_farm_id_foreign FOREIGN KEY (farm_id) REFERENCES farms (id),
        CONSTRAINT orders_buyer_id_foreign FOREIGN KEY (buyer_id) REFERENCES users (id),
        CONSTRAINT orders_status_check CHECK (status IN (
          'awaiting_payment', 'paid', 'shipped', 'delivered', 'disputed', 'resolved', 'refunded', 'cancelled',
          'expired'
        )),
        CONSTRAINT orders_payment_method_check CHECK (payment_method IN ('escrow', 'card')),
        CONSTRAINT orders_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT orders_amounts_check CHECK (
          subtotal_minor > 0 AND fee_minor >= 0 AND fee_minor <= subtotal_minor AND total_minor > 0
        ),
        CONSTRAINT orders_fee_bps_check CHECK (fee_bps >= 0 AND fee_bps <= 10000),
        CONSTRAINT orders_escrow_ref_check CHECK (escrow_ref ~ '^0x[0-9a-f]{64}$'),
        CONSTRAINT orders_escrow_seller_check CHECK (escrow_seller ~ '^0x[0-9a-f]{40}$'),
        CONSTRAINT orders_escrow_amount_check CHECK (escrow_amount ~ '^[1-9][0-9]*$'),
        CONSTRAINT orders_escrow_fields_check CHECK (
          (payment_method = 'escrow') = (escrow_ref IS NOT NULL AND escrow_seller IS NOT NULL AND escrow_amount IS NOT NULL)
        )
      )
    `);
    this.addSql("CREATE INDEX orders_checkout_id_index ON orders (checkout_id)");
    this.addSql("CREATE INDEX orders_buyer_id_created_at_id_index ON orders (buyer_id, created_at, id)");
    this.addSql("CREATE INDEX orders_farm_id_created_at_id_index ON orders (farm_id, created_at, id)");
    this.addSql("CREATE INDEX orders_status_expires_at_index ON orders (status, expires_at)");
    this.addSql(`
      CREATE TABLE order_items (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL,
        product_id uuid NOT NULL,
        name text NOT NULL,
        unit text NOT NULL,
        unit_price_minor bigint NOT NULL,
        quantity integer NOT NULL,
        line_total_minor bigint NOT NULL,
        CONSTRAINT order_items_order_id_foreign FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
        CONSTRAINT order_items_product_id_foreign FOREIGN KEY (product_id) REFERENCES products (id),
        CONSTRAINT order_items_quantity_check CHECK (quantity > 0),
        CONSTRAINT order_items_line_total_check CHECK (line_total_minor = unit_price_minor * quantity)
      )
    `);
    this.addSql("CREATE INDEX order_items_order_id_index ON order_items (order_id)");
    this.addSql("CREATE INDEX order_items_product_id_index ON order_items (product_id)");
    this.addSql(`
      CREATE TABLE order_events (
        id bigserial PRIMARY KEY,
        order_id uuid NOT NULL,
        kind text NOT NULL,
        occurred_at timestamptz NOT NULL,
        actor_id uuid,
        data jsonb NOT NULL DEFAULT '{}',
        source_key text NOT NULL,
        CONSTRAINT order_events_source_key_unique UNIQUE (source_key),
        CONSTRAINT order_events_order_id_foreign FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
        CONSTRAINT order_events_actor_id_foreign FOREIGN KEY (actor_id) REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT order_events_kind_check CHECK (kind IN (
          'created', 'cancelled', 'expired', 'paid', 'flagged', 'shipped', 'delivered', 'disputed',
          'settlement_proposed', 'resolved', 'refunded'
        ))
      )
    `);
    this.addSql("CREATE INDEX order_events_actor_id_index ON order_events (actor_id)");
    this.addSql("CREATE INDEX order_events_order_id_occurred_at_id_index ON order_events (order_id, occurred_at, id)");
    this.addSql(`
      CREATE TABLE order_flags (
        id bigserial PRIMARY KEY,
        order_id uuid,
        kind text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        source_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz,
        CONSTRAINT order_flags_source_key_unique UNIQUE (source_key),
        CONSTRAINT order_flags_order_id_foreign FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
        CONSTRAINT order_flags_kind_check CHECK (kind IN (
          'amount_mismatch', 'seller_mismatch', 'token_mismatch', 'unknown_ref', 'late_payment'
        ))
      )
    `);
    this.addSql("CREATE INDEX order_flags_order_id_index ON order_flags (order_id)");
  }

  override down(): void {
    this.addSql("DROP TABLE order_flags");
    this.addSql("DROP TABLE order_events");
    this.addSql("DROP TABLE order_items");
    this.addSql("DROP TABLE orders");
    this.addSql("DROP TABLE checkouts");
  }
}
