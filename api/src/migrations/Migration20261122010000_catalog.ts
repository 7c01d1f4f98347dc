import { Migration } from "@mikro-orm/migrations";

/**
 * Farms, products with full-text search, their photos, and the history of every stock change. Constraint and index
 * names follow MikroORM's, so the entity/schema diff stays empty.
 */
export class Migration20261122010000_catalog extends Migration {
  override name = "Migration20261122010000_catalog";

  override up(): void {
    this.addSql(`
      CREATE TABLE farms (
        id uuid PRIMARY KEY,
        owner_id uuid NOT NULL,
        name text NOT NULL,
        slug text NOT NULL,
        region text NOT NULL,
        description text NOT NULL DEFAULT '',
        payout_wallet text,
        photo_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT farms_owner_id_unique UNIQUE (owner_id),
        CONSTRAINT farms_slug_unique UNIQUE (slug),
        CONSTRAINT farms_owner_id_foreign FOREIGN KEY (owner_id) REFERENCES users (id),
        CONSTRAINT farms_name_check CHECK (length(name) >= 1 AND length(name) <= 120),
        CONSTRAINT farms_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        CONSTRAINT farms_region_check CHECK (length(region) >= 1 AND length(region) <= 80),
        CONSTRAINT farms_payout_wallet_check CHECK (payout_wallet ~ '^0x[0-9a-f]{40}$')
      )
    `);
    this.addSql("CREATE INDEX farms_region_index ON farms (region)");
    this.addSql(`
      CREATE TABLE products (
        id uuid PRIMARY KEY,
        farm_id uuid NOT NULL,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        category text NOT NULL,
        unit text NOT NULL,
        price_minor integer NOT NULL,
        currency text NOT NULL,
        stock integer NOT NULL,
        status text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT products_farm_id_foreign FOREIGN KEY (farm_id) REFERENCES farms (id),
        CONSTRAINT products_name_check CHECK (length(name) >= 1 AND length(name) <= 120),
        CONSTRAINT products_category_check CHECK (category IN (
          'vegetables', 'fruits', 'grains', 'pulses', 'dairy', 'eggs', 'meat', 'fish', 'honey', 'herbs', 'spices',
          'oils', 'other'
        )),
        CONSTRAINT products_unit_check CHECK (unit IN ('kg', 'g', 'litre', 'piece', 'dozen', 'bunch', 'bag')),
        CONSTRAINT products_status_check CHECK (status IN ('draft', 'active', 'archived')),
        CONSTRAINT products_price_minor_check CHECK (price_minor > 0),
        CONSTRAINT products_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT products_stock_check CHECK (stock >= 0)
      )
    `);
    this.addSql("CREATE INDEX products_farm_id_created_at_id_index ON products (farm_id, created_at, id)");
    this.addSql("CREATE INDEX products_status_created_at_id_index ON products (status, created_at, id)");
    this.addSql(
      "CREATE INDEX products_status_category_created_at_id_index ON products (status, category, created_at, id)",
    );
    this.addSql("CREATE INDEX products_status_price_minor_id_index ON products (status, price_minor, id)");
    // Full text, kept by a trigger (declared on the entity too): English stemming for the shop's language, plus the
    // words as written so any language (Bengali) matches.
    this.addSql("ALTER TABLE products ADD COLUMN search tsvector NOT NULL DEFAULT ''");
    this.addSql(`
      CREATE FUNCTION products_search_vector_fn() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.search :=
          setweight(to_tsvector('english', NEW.name), 'A') || setweight(to_tsvector('simple', NEW.name), 'A') ||
          setweight(to_tsvector('english', NEW.description), 'B') ||
          setweight(to_tsvector('simple', NEW.description), 'C');
        RETURN NEW;
      END $$
    `);
    this.addSql(`
      CREATE TRIGGER search_vector BEFORE INSERT OR UPDATE ON products
        FOR EACH ROW EXECUTE FUNCTION products_search_vector_fn()
    `);
    this.addSql("CREATE INDEX products_search_index ON products USING gin (search)");
    this.addSql(`
      CREATE TABLE product_photos (
        id uuid PRIMARY KEY,
        product_id uuid NOT NULL,
        position integer NOT NULL,
        key text NOT NULL,
        width integer NOT NULL,
        height integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT product_photos_key_unique UNIQUE (key),
        CONSTRAINT product_photos_product_id_foreign FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE,
        CONSTRAINT product_photos_position_check CHECK (position >= 0),
        CONSTRAINT product_photos_size_check CHECK (width > 0 AND height > 0)
      )
    `);
    this.addSql("CREATE INDEX product_photos_product_id_position_index ON product_photos (product_id, position)");
    this.addSql(`
      CREATE TABLE stock_changes (
        id bigserial PRIMARY KEY,
        product_id uuid NOT NULL,
        delta integer NOT NULL,
        stock_after integer NOT NULL,
        reason text NOT NULL,
        note text,
        actor_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stock_changes_product_id_foreign FOREIGN KEY (product_id) REFERENCES products (id),
        CONSTRAINT stock_changes_actor_id_foreign FOREIGN KEY (actor_id) REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT stock_changes_stock_after_check CHECK (stock_after >= 0),
        CONSTRAINT stock_changes_reason_check CHECK (reason IN (
          'created', 'restock', 'correction', 'reserved', 'released', 'sold'
        ))
      )
    `);
    this.addSql("CREATE INDEX stock_changes_actor_id_index ON stock_changes (actor_id)");
    this.addSql("CREATE INDEX stock_changes_product_id_id_index ON stock_changes (product_id, id)");
  }

  override down(): void {
    this.addSql("DROP TABLE stock_changes");
    this.addSql("DROP TABLE product_photos");
    this.addSql("DROP TABLE products");
    this.addSql("DROP FUNCTION products_search_vector_fn");
    this.addSql("DROP TABLE farms");
  }
}
