import { Migration } from "@mikro-orm/migrations";

/**
 * Card payments through Stripe: the Checkout Session and PaymentIntent of a card checkout, every webhook event as
 * received (stored once by id, processed once), refunds, farms' connected accounts and what the platform owes them,
 * and reconciliation runs. The new flag and timeline kinds cover card-only outcomes (a chargeback, a failed attempt).
 * Names follow MikroORM's, so the entity/schema diff stays empty.
 */
export class Migration20261204030000_card_payments extends Migration {
  override name = "Migration20261204030000_card_payments";

  override up(): void {
    this.addSql("ALTER TABLE checkouts ADD COLUMN stripe_session_id text, ADD COLUMN stripe_payment_intent_id text");
    this.addSql("ALTER TABLE checkouts ADD CONSTRAINT checkouts_stripe_session_id_unique UNIQUE (stripe_session_id)");
    this.addSql("ALTER TABLE order_flags DROP CONSTRAINT order_flags_kind_check");
    this.addSql(`
      ALTER TABLE order_flags ADD CONSTRAINT order_flags_kind_check CHECK (kind IN (
        'amount_mismatch', 'seller_mismatch', 'token_mismatch', 'unknown_ref', 'late_payment', 'chargeback'
      ))
    `);
    this.addSql("ALTER TABLE order_events DROP CONSTRAINT order_events_kind_check");
    this.addSql(`
      ALTER TABLE order_events ADD CONSTRAINT order_events_kind_check CHECK (kind IN (
        'created', 'cancelled', 'expired', 'paid', 'flagged', 'shipped', 'delivered', 'disputed',
        'settlement_proposed', 'resolved', 'refunded', 'payment_failed', 'chargeback_opened', 'chargeback_closed',
        'transferred'
      ))
    `);
    this.addSql(`
      CREATE TABLE stripe_events (
        id text PRIMARY KEY,
        type text NOT NULL,
        created timestamptz NOT NULL,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        error text
      )
    `);
    this.addSql("CREATE INDEX stripe_events_processed_at_index ON stripe_events (processed_at)");
    this.addSql(`
      CREATE TABLE refunds (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL,
        amount_minor bigint NOT NULL,
        reason text NOT NULL,
        actor_id uuid,
        method text NOT NULL,
        stripe_refund_id text,
        status text NOT NULL,
        dispute_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT refunds_stripe_refund_id_unique UNIQUE (stripe_refund_id),
        CONSTRAINT refunds_order_id_foreign FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
        CONSTRAINT refunds_actor_id_foreign FOREIGN KEY (actor_id) REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT refunds_amount_check CHECK (amount_minor > 0),
        CONSTRAINT refunds_method_check CHECK (method IN ('card')),
        CONSTRAINT refunds_status_check CHECK (status IN ('pending', 'succeeded', 'failed', 'canceled', 'lost'))
      )
    `);
    this.addSql("CREATE INDEX refunds_order_id_index ON refunds (order_id)");
    this.addSql("CREATE INDEX refunds_actor_id_index ON refunds (actor_id)");
    this.addSql(`
      CREATE TABLE farm_stripe_accounts (
        farm_id uuid PRIMARY KEY,
        account_id text NOT NULL,
        charges_enabled boolean NOT NULL DEFAULT false,
        payouts_enabled boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT farm_stripe_accounts_account_id_unique UNIQUE (account_id),
        CONSTRAINT farm_stripe_accounts_farm_id_foreign FOREIGN KEY (farm_id) REFERENCES farms (id)
          ON UPDATE CASCADE ON DELETE CASCADE
      )
    `);
    this.addSql(`
      CREATE TABLE farm_payables (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL,
        farm_id uuid NOT NULL,
        amount_minor bigint NOT NULL,
        reversed_minor bigint NOT NULL DEFAULT 0,
        currency text NOT NULL,
        status text NOT NULL,
        stripe_transfer_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT farm_payables_order_id_unique UNIQUE (order_id),
        CONSTRAINT farm_payables_stripe_transfer_id_unique UNIQUE (stripe_transfer_id),
        CONSTRAINT farm_payables_order_id_foreign FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
        CONSTRAINT farm_payables_farm_id_foreign FOREIGN KEY (farm_id) REFERENCES farms (id) ON DELETE CASCADE,
        CONSTRAINT farm_payables_amount_check CHECK (amount_minor >= 0 AND reversed_minor >= 0),
        CONSTRAINT farm_payables_status_check CHECK (status IN ('accrued', 'transferred', 'reversed'))
      )
    `);
    this.addSql("CREATE INDEX farm_payables_farm_id_status_index ON farm_payables (farm_id, status)");
    this.addSql(`
      CREATE TABLE reconciliation_runs (
        id bigserial PRIMARY KEY,
        window_from timestamptz NOT NULL,
        window_to timestamptz NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        differences integer NOT NULL,
        result jsonb NOT NULL
      )
    `);
  }

  override down(): void {
    this.addSql("DROP TABLE reconciliation_runs");
    this.addSql("DROP TABLE farm_payables");
    this.addSql("DROP TABLE farm_stripe_accounts");
    this.addSql("DROP TABLE refunds");
    this.addSql("DROP TABLE stripe_events");
    this.addSql("ALTER TABLE checkouts DROP COLUMN stripe_session_id, DROP COLUMN stripe_payment_intent_id");
  }
}
