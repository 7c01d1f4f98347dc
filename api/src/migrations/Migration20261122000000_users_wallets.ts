import { Migration } from "@mikro-orm/migrations";

/** Accounts and the wallets linked to them. Constraint names follow MikroORM's, so later diffs stay empty. */
export class Migration20261122000000_users_wallets extends Migration {
  override name = "Migration20261122000000_users_wallets";

  override up(): void {
    this.addSql(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        email text,
        password_hash text,
        roles text[] NOT NULL DEFAULT '{buyer}'::text[],
        tos_accepted_at timestamptz,
        tos_version text,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT users_email_unique UNIQUE (email),
        CONSTRAINT users_email_check CHECK (email = lower(email)),
        CONSTRAINT users_roles_check CHECK (roles <@ ARRAY['buyer', 'farmer', 'arbiter', 'admin']::text[]),
        CONSTRAINT users_tos_check CHECK ((tos_accepted_at IS NULL) = (tos_version IS NULL))
      )
    `);
    this.addSql(`
      CREATE TABLE wallets (
        address text PRIMARY KEY,
        user_id uuid NOT NULL,
        chain_id integer NOT NULL,
        linked_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT wallets_user_id_foreign FOREIGN KEY (user_id) REFERENCES users (id),
        CONSTRAINT wallets_address_check CHECK (address ~ '^0x[0-9a-f]{40}$')
      )
    `);
    this.addSql("CREATE INDEX wallets_user_id_index ON wallets (user_id)");
  }

  override down(): void {
    this.addSql("DROP TABLE wallets");
    this.addSql("DROP TABLE users");
  }
}
