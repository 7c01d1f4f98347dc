import { Migration } from "@mikro-orm/migrations";

/**
 * Dispute evidence photos leave the public photo store: every photo stored so far is marked as still there, and the
 * evidence photo job moves it to the evidence store; a photo is removed (files first, then its key) when the dispute's
 * retention ends or its uploader deletes the account. Products keep the shortfall of a farmer's count below what open
 * orders hold, so a correction states what is on hand. Names follow MikroORM's, so the entity/schema diff stays empty.
 */
export class Migration20261207050000_private_evidence_stock_on_hand extends Migration {
  override name = "Migration20261207050000_private_evidence_stock_on_hand";

  override up(): void {
    this.addSql(`
      ALTER TABLE dispute_evidence
        ADD COLUMN photo_in_public_store boolean NOT NULL DEFAULT false,
        ADD COLUMN photo_removed_at timestamptz
    `);
    this.addSql("UPDATE dispute_evidence SET photo_in_public_store = true WHERE photo_key IS NOT NULL");
    this.addSql("ALTER TABLE dispute_evidence DROP CONSTRAINT dispute_evidence_content_check");
    this.addSql(`
      ALTER TABLE dispute_evidence ADD CONSTRAINT dispute_evidence_content_check CHECK (
        (kind = 'text' AND text IS NOT NULL AND photo_key IS NULL AND photo_removed_at IS NULL)
        OR (kind = 'photo' AND (photo_key ~ '^[a-f0-9]{32}$' OR photo_removed_at IS NOT NULL))
      )
    `);
    this.addSql("ALTER TABLE products ADD COLUMN stock_shortfall integer NOT NULL DEFAULT 0");
    this.addSql(`
      ALTER TABLE products ADD CONSTRAINT products_stock_shortfall_check
        CHECK (stock_shortfall >= 0 AND (stock_shortfall = 0 OR stock = 0))
    `);
  }

  override down(): void {
    this.addSql("ALTER TABLE products DROP CONSTRAINT products_stock_shortfall_check");
    this.addSql("ALTER TABLE products DROP COLUMN stock_shortfall");
    this.addSql("DELETE FROM dispute_evidence WHERE photo_key IS NULL AND kind = 'photo'");
    this.addSql("ALTER TABLE dispute_evidence DROP CONSTRAINT dispute_evidence_content_check");
    this.addSql(`
      ALTER TABLE dispute_evidence ADD CONSTRAINT dispute_evidence_content_check CHECK (
        (kind = 'text' AND text IS NOT NULL AND photo_key IS NULL)
        OR (kind = 'photo' AND photo_key ~ '^[a-f0-9]{32}$')
      )
    `);
    this.addSql("ALTER TABLE dispute_evidence DROP COLUMN photo_in_public_store, DROP COLUMN photo_removed_at");
  }
}
