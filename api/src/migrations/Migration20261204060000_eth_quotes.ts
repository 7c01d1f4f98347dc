import { Migration } from "@mikro-orm/migrations";

/**
 * Escrow orders paid in ETH keep the price quote their wei amount was computed from (feed answer, its decimals, the
 * round id) and the quote's expiry; a payment after it is flagged `quote_expired`. Stablecoin orders leave them null.
 * Names follow MikroORM's, so the entity/schema diff stays empty.
 */
export class Migration20261204060000_eth_quotes extends Migration {
  override name = "Migration20261204060000_eth_quotes";

  override up(): void {
    this.addSql(`
      ALTER TABLE orders
        ADD COLUMN quote_price text,
        ADD COLUMN quote_price_decimals int,
        ADD COLUMN quote_round_id text,
        ADD COLUMN quote_expires_at timestamptz
    `);
    this.addSql(`
      ALTER TABLE orders ADD CONSTRAINT orders_quote_check CHECK (
        (quote_price IS NULL AND quote_price_decimals IS NULL AND quote_round_id IS NULL AND quote_expires_at IS NULL)
        OR (payment_method = 'escrow' AND quote_price ~ '^[1-9][0-9]*$' AND quote_price_decimals >= 0 AND quote_price_decimals <= 36
          AND quote_round_id ~ '^[0-9]+$' AND quote_expires_at IS NOT NULL)
      )
    `);
    this.addSql("ALTER TABLE order_flags DROP CONSTRAINT order_flags_kind_check");
    this.addSql(`
      ALTER TABLE order_flags ADD CONSTRAINT order_flags_kind_check CHECK (kind IN (
        'amount_mismatch', 'seller_mismatch', 'token_mismatch', 'unknown_ref', 'late_payment', 'chargeback',
        'quote_expired'
      ))
    `);
  }

  override down(): void {
    this.addSql("DELETE FROM order_flags WHERE kind = 'quote_expired'");
    this.addSql("ALTER TABLE order_flags DROP CONSTRAINT order_flags_kind_check");
    this.addSql(`
      ALTER TABLE order_flags ADD CONSTRAINT order_flags_kind_check CHECK (kind IN (
        'amount_mismatch', 'seller_mismatch', 'token_mismatch', 'unknown_ref', 'late_payment', 'chargeback'
      ))
    `);
    this.addSql("ALTER TABLE orders DROP CONSTRAINT orders_quote_check");
    this.addSql(`
      ALTER TABLE orders
        DROP COLUMN quote_price, DROP COLUMN quote_price_decimals, DROP COLUMN quote_round_id, DROP COLUMN quote_expires_at
    `);
  }
}
