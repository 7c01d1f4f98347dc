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
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
       ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = EXCLUDED.quantity`,
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

export interface OrderFixture {
  buyerId: string;
  farmId: string;
  status?: string;
  totalMinor?: number;
  /** Card by default; an escrow order needs `escrow` too. */
  paymentMethod?: "card" | "escrow";
  escrow?: { ref: string; seller: string; amount: string; orderId?: string };
  paidAt?: Date | null;
  shippedAt?: Date | null;
  deliveredAt?: Date | null;
}

/**
 * An order of its own checkout, written straight to the tables (paid by card, 2,500 minor USD, no items unless the
 * test adds some): for tests that need an order in a given state without walking it there. Returns its id.
 */
export async function insertOrder(pool: pg.Pool, order: OrderFixture): Promise<string> {
  const checkoutId = randomUUID();
  const id = randomUUID();
  const method = order.paymentMethod ?? "card";
  const status = order.status ?? "paid";
  const total = order.totalMinor ?? 2_500;
  await pool.query(
    `INSERT INTO checkouts (id, buyer_id, payment_method, idempotency_key_hash, request_fingerprint, expires_at)
     VALUES ($1, $2, $3, $4, 'fixture', now() + interval '30 minutes')`,
    [checkoutId, order.buyerId, method, randomUUID().replaceAll("-", "").repeat(2)],
  );
  await pool.query(
    `INSERT INTO orders (id, checkout_id, farm_id, buyer_id, status, currency, subtotal_minor, fee_bps, fee_minor,
                         total_minor, payment_method, escrow_ref, escrow_seller, escrow_amount, escrow_order_id,
                         expires_at, paid_at)
     VALUES ($1, $2, $3, $4, $5, 'USD', $6, 250, $7, $6, $8, $9, $10, $11, $12, now() + interval '30 minutes', $13)`,
    [
      id,
      checkoutId,
      order.farmId,
      order.buyerId,
      status,
      total,
      Math.floor((total * 250) / 10_000),
      method,
      order.escrow?.ref ?? null,
      order.escrow?.seller ?? null,
      order.escrow?.amount ?? null,
      order.escrow?.orderId ?? null,
      order.paidAt === undefined ? (status === "awaiting_payment" ? null : new Date()) : order.paidAt,
    ],
  );
  // Set only when asked: tests of older schemas write orders before these columns existed.
  if (order.shippedAt != null || order.deliveredAt != null) {
    await pool.query("UPDATE orders SET shipped_at = $2, delivered_at = $3 WHERE id = $1", [
      id,
      order.shippedAt ?? null,
      order.deliveredAt ?? null,
    ]);
  }
  return id;
}
