import { Migration } from "@mikro-orm/migrations";

/** Carts (a user's, or an anonymous one known by its token's hash) and their lines. Names follow MikroORM's. */
export class Migration20261122030000_carts extends Migration {
  override name = "Migration20261122030000_carts";

  override up(): void {
    this.addSql(`
      CREATE TABLE carts (
        id uuid PRIMARY KEY,
        user_id uuid,
        token_hash text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT carts_user_id_unique UNIQUE (user_id),
        CONSTRAINT carts_token_hash_unique UNIQUE (token_hash),
        CONSTRAINT carts_user_id_foreign FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT carts_owner_check CHECK ((user_id IS NULL) <> (token_hash IS NULL)),
        CONSTRAINT carts_token_hash_check CHECK (token_hash ~ '^[0-9a-f]{64}$')
      )
    `);
    this.addSql(`
      CREATE TABLE cart_items (
        id uuid PRIMARY KEY,
        cart_id uuid NOT NULL,
        product_id uuid NOT NULL,
        quantity integer NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT cart_items_cart_id_product_id_unique UNIQUE (cart_id, product_id),
        CONSTRAINT cart_items_cart_id_foreign FOREIGN KEY (cart_id) REFERENCES carts (id) ON DELETE CASCADE,
        CONSTRAINT cart_items_product_id_foreign FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE,
        CONSTRAINT cart_items_quantity_check CHECK (quantity > 0)
      )
    `);
    this.addSql("CREATE INDEX cart_items_product_id_index ON cart_items (product_id)");
  }

  override down(): void {
    this.addSql("DROP TABLE cart_items");
    this.addSql("DROP TABLE carts");
  }
}
