import { Migration } from "@mikro-orm/migrations";

/** Refresh tokens, stored as SHA-256 hashes, grouped in one family per sign-in for reuse detection. */
export class Migration20261122020000_refresh_tokens extends Migration {
  override name = "Migration20261122020000_refresh_tokens";

  override up(): void {
    this.addSql(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        family_id uuid NOT NULL,
        token_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        replaced_by uuid,
        revoked_at timestamptz,
        CONSTRAINT refresh_tokens_token_hash_unique UNIQUE (token_hash),
        CONSTRAINT refresh_tokens_user_id_foreign FOREIGN KEY (user_id) REFERENCES users (id),
        CONSTRAINT refresh_tokens_token_hash_check CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        CONSTRAINT refresh_tokens_replaced_by_check CHECK ((replaced_by IS NULL) OR (used_at IS NOT NULL))
      )
    `);
    this.addSql("CREATE INDEX refresh_tokens_user_id_index ON refresh_tokens (user_id)");
    this.addSql("CREATE INDEX refresh_tokens_family_id_index ON refresh_tokens (family_id)");
  }

  override down(): void {
    this.addSql("DROP TABLE refresh_tokens");
  }
}
