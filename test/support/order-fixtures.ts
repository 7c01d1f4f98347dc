import { randomUUID } from "node:crypto";

import type pg from "pg";

/** Puts lines in the user's cart (creating it), as PUT /api/cart/items would, without a request per line. */
export async function fillCart(
  pool: pg.Pool,
  userId: string,
  lines: readonly { productId: string; quantity: number }[],
): Promise<void> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO carts (id, user_id) VALUES ($1, $2)
      ON CONFLICT (user_id) DO UPDATE SET updated_at = now() RETURNING id`,
    [randomUUID(), userId],
  );
  for (const [index, line] of lines.entries()) {
    await pool.query(
      `INSERT INTO cart_items (id, cart_id, product_id, quantity, added_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [randomUUID(), rows[0].id, line.productId, line.quantity, index / 1000],
    );
  }
}

/** Sets the farm's payout wallet (lower-case), where escrow payments for its orders go. */
export async function setPayoutWallet(pool: pg.Pool, farmId: string, wallet: string): Promise<void> {
  await pool.query("UPDATE farms SET payout_wallet = $1 WHERE id = $2", [wallet.toLowerCase(), farmId]);
}

/** The owner (farmer) of a farm. */
export async function farmOwner(pool: pg.Pool, farmId: string): Promise<string> {
  const { rows } = await pool.query<{ owner_id: string }>("SELECT owner_id FROM farms WHERE id = $1", [farmId]);
  return rows[0].owner_id;
}

/** A product's stock now. */
export async function stockOf(pool: pg.Pool, productId: string): Promise<number> {
  const { rows } = await pool.query<{ stock: number }>("SELECT stock FROM products WHERE id = $1", [productId]);
  return rows[0].stock;
}
