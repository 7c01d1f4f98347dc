import { Migration } from "@mikro-orm/migrations";

const REFUND_STATUSES_BEFORE = "'pending', 'succeeded', 'failed', 'canceled', 'lost'";
const REFUND_STATUSES_AFTER = "'requested', 'pending', 'succeeded', 'failed', 'canceled', 'rejected', 'lost'";

const FLAG_KINDS_BEFORE =
  "'amount_mismatch', 'seller_mismatch', 'token_mismatch', 'unknown_ref', 'late_payment', 'chargeback', " +
  "'quote_expired', 'refund_failed'";
const FLAG_KINDS_AFTER = `${FLAG_KINDS_BEFORE}, 'farm_debt'`;

const EVENT_KINDS_BEFORE =
  "'created', 'cancelled', 'expired', 'paid', 'flagged', 'shipped', 'delivered', 'disputed', " +
  "'settlement_proposed', 'resolved', 'refunded', 'refund_failed', 'payment_failed', 'chargeback_opened', " +
  "'chargeback_closed', 'transferred', 'dispute_opened', 'dispute_message', 'dispute_evidence', 'dispute_ruling'";
const EVENT_KINDS_AFTER = `${EVENT_KINDS_BEFORE}, 'ship_deadline_passed', 'farm_debt', 'debt_netted'`;

const NOTIFICATION_KINDS_BEFORE =
  "'new_order', 'order_paid', 'shipped', 'delivered', 'dispute_opened', 'dispute_message', 'dispute_resolved', " +
  "'refund', 'refund_failed', 'payment_flagged', 'order_cancelled', 'order_expired'";
const NOTIFICATION_KINDS_AFTER = `${NOTIFICATION_KINDS_BEFORE}, 'ship_deadline_passed'`;

/**
 * Card money is issued at most once and never left without an owner:
 * - a refund is first recorded as `requested` with the key of the decision it carries out (a ruling, a staff request's
 *   Idempotency-Key, a missed ship deadline), committed before Stripe is asked, so a retry, a crash or a second click
 *   finds it and asks Stripe again under the same idempotency key; `rejected` is a request Stripe refused;
 * - a refund remembers whether the farm's share of it was accounted (taken off the payable, or off the accrual);
 * - a farm share that could not be reversed from a farm's Stripe account becomes a farm debt, netted from its next
 *   payouts (`debt_netted_minor` on the payable that paid it; `netted` when it paid nothing else);
 * - card orders keep when they must ship by (the DAO's ship window from payment), and when they shipped and were
 *   delivered, from which the dispute window runs;
 * - card disputes fall due like the escrow's arbitration timeout (`deadline`), with its default outcome, which
 *   depends on whether the order had shipped.
 * Names follow MikroORM's, so the entity/schema diff stays empty.
 */
export class Migration20261207010000_card_money_safety extends Migration {
  override name = "Migration20261207010000_card_money_safety";

  override up(): void {
    this.addSql("ALTER TABLE refunds DROP CONSTRAINT refunds_status_check");
    this.addSql(`ALTER TABLE refunds ADD CONSTRAINT refunds_status_check CHECK (status IN (${REFUND_STATUSES_AFTER}))`);
    this.addSql(`
      ALTER TABLE refunds
        ADD COLUMN idempotency_key text,
        ADD COLUMN farm_share_accounted boolean NOT NULL DEFAULT false,
        ADD COLUMN failure_reason text
    `);
    this.addSql("ALTER TABLE refunds ADD CONSTRAINT refunds_idempotency_key_unique UNIQUE (idempotency_key)");
    // Until now a refund's share was taken when it was recorded if the order had a payable, else at accrual.
    this.addSql(`
      UPDATE refunds r SET farm_share_accounted = true
       WHERE EXISTS (SELECT 1 FROM farm_payables p WHERE p.order_id = r.order_id)
    `);

    this.addSql("ALTER TABLE farm_payables DROP CONSTRAINT farm_payables_status_check");
    this.addSql(`
      ALTER TABLE farm_payables ADD CONSTRAINT farm_payables_status_check
        CHECK (status IN ('accrued', 'transferred', 'netted', 'reversed'))
    `);
    this.addSql("ALTER TABLE farm_payables ADD COLUMN debt_netted_minor bigint NOT NULL DEFAULT 0");
    this.addSql(
      "ALTER TABLE farm_payables ADD CONSTRAINT farm_payables_debt_netted_check CHECK (debt_netted_minor >= 0)",
    );

    this.addSql(`
      CREATE TABLE farm_debts (
        id uuid PRIMARY KEY,
        farm_id uuid NOT NULL,
        order_id uuid NOT NULL,
        refund_id uuid NOT NULL,
        amount_minor bigint NOT NULL,
        netted_minor bigint NOT NULL DEFAULT 0,
        currency text NOT NULL,
        status text NOT NULL,
        reason text NOT NULL,
        stripe_reversal_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT farm_debts_refund_id_unique UNIQUE (refund_id),
        CONSTRAINT farm_debts_farm_id_foreign FOREIGN KEY (farm_id) REFERENCES farms (id) ON DELETE CASCADE,
        CONSTRAINT farm_debts_order_id_foreign FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
        CONSTRAINT farm_debts_refund_id_foreign FOREIGN KEY (refund_id) REFERENCES refunds (id) ON DELETE CASCADE,
        CONSTRAINT farm_debts_amount_check CHECK (amount_minor > 0 AND netted_minor >= 0 AND netted_minor <= amount_minor),
        CONSTRAINT farm_debts_status_check CHECK (status IN ('unconfirmed', 'owed', 'settled', 'cancelled'))
      )
    `);
    this.addSql("CREATE INDEX farm_debts_farm_id_status_index ON farm_debts (farm_id, status)");
    this.addSql("CREATE INDEX farm_debts_order_id_index ON farm_debts (order_id)");

    this.addSql(`
      ALTER TABLE orders
        ADD COLUMN ship_by timestamptz,
        ADD COLUMN shipped_at timestamptz,
        ADD COLUMN delivered_at timestamptz
    `);
    this.addSql(`
      UPDATE orders o SET
        shipped_at = (SELECT min(e.occurred_at) FROM order_events e WHERE e.order_id = o.id AND e.kind = 'shipped'),
        delivered_at = (SELECT min(e.occurred_at) FROM order_events e WHERE e.order_id = o.id AND e.kind = 'delivered')
    `);
    this.addSql("CREATE INDEX orders_status_ship_by_index ON orders (status, ship_by)");

    this.addSql(`
      ALTER TABLE disputes
        ADD COLUMN deadline timestamptz,
        ADD COLUMN shipped_before_dispute boolean NOT NULL DEFAULT false
    `);
    this.addSql("CREATE INDEX disputes_status_deadline_index ON disputes (status, deadline)");

    this.replaceCheck("order_flags", "order_flags_kind_check", "kind", FLAG_KINDS_AFTER);
    this.replaceCheck("order_events", "order_events_kind_check", "kind", EVENT_KINDS_AFTER);
    this.replaceCheck("notifications", "notifications_kind_check", "kind", NOTIFICATION_KINDS_AFTER);
  }

  override down(): void {
    this.addSql("DELETE FROM notifications WHERE kind = 'ship_deadline_passed'");
    this.replaceCheck("notifications", "notifications_kind_check", "kind", NOTIFICATION_KINDS_BEFORE);
    this.addSql("DELETE FROM order_events WHERE kind IN ('ship_deadline_passed', 'farm_debt', 'debt_netted')");
    this.replaceCheck("order_events", "order_events_kind_check", "kind", EVENT_KINDS_BEFORE);
    this.addSql("DELETE FROM order_flags WHERE kind = 'farm_debt'");
    this.replaceCheck("order_flags", "order_flags_kind_check", "kind", FLAG_KINDS_BEFORE);
    this.addSql("DROP INDEX disputes_status_deadline_index");
    this.addSql("ALTER TABLE disputes DROP COLUMN deadline, DROP COLUMN shipped_before_dispute");
    this.addSql("DROP INDEX orders_status_ship_by_index");
    this.addSql("ALTER TABLE orders DROP COLUMN ship_by, DROP COLUMN shipped_at, DROP COLUMN delivered_at");
    this.addSql("DROP TABLE farm_debts");
    this.addSql("UPDATE farm_payables SET status = 'transferred' WHERE status = 'netted'");
    this.addSql("ALTER TABLE farm_payables DROP CONSTRAINT farm_payables_debt_netted_check");
    this.addSql("ALTER TABLE farm_payables DROP COLUMN debt_netted_minor");
    this.addSql("ALTER TABLE farm_payables DROP CONSTRAINT farm_payables_status_check");
    this.addSql(`
      ALTER TABLE farm_payables ADD CONSTRAINT farm_payables_status_check
        CHECK (status IN ('accrued', 'transferred', 'reversed'))
    `);
    this.addSql("DELETE FROM refunds WHERE status IN ('requested', 'rejected')");
    this.addSql("ALTER TABLE refunds DROP CONSTRAINT refunds_idempotency_key_unique");
    this.addSql(
      "ALTER TABLE refunds DROP COLUMN idempotency_key, DROP COLUMN farm_share_accounted, DROP COLUMN failure_reason",
    );
    this.addSql("ALTER TABLE refunds DROP CONSTRAINT refunds_status_check");
    this.addSql(
      `ALTER TABLE refunds ADD CONSTRAINT refunds_status_check CHECK (status IN (${REFUND_STATUSES_BEFORE}))`,
    );
  }

  private replaceCheck(table: string, name: string, column: string, values: string): void {
    this.addSql(`ALTER TABLE ${table} DROP CONSTRAINT ${name}`);
    this.addSql(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${column} IN (${values}))`);
  }
}
