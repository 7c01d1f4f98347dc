import type { EntityManager } from "@mikro-orm/postgresql";

/** Flags an order's payment unless a flag with the same `sourceKey` exists; true when it was added. */
export async function recordOrderFlag(
  tx: EntityManager,
  flag: { orderId: string; kind: string; details: Record<string, unknown>; sourceKey: string },
): Promise<boolean> {
  const rows = await tx.execute<{ id: string }[]>(
    `INSERT INTO order_flags (order_id, kind, details, source_key)
     VALUES (?, ?, ?::jsonb, ?) ON CONFLICT (source_key) DO NOTHING RETURNING id`,
    [flag.orderId, flag.kind, JSON.stringify(flag.details), flag.sourceKey],
  );
  return rows.length > 0;
}
