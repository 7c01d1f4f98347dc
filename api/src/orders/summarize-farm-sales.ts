import type { EntityManager } from "@mikro-orm/postgresql";

import { farmIdOfOwner } from "../catalog/farm-id-of-owner.js";

/** One day's orders of a farm in one status. */
export interface SalesDay {
  day: string;
  status: string;
  orders: number;
  totalMinor: number;
  currency: string;
}

/** The farm's orders per UTC day and status over the last 30 days (today included), oldest first. */
export async function summarizeFarmSales(em: EntityManager, farmerId: string, now: Date): Promise<SalesDay[]> {
  const farmId = await farmIdOfOwner(em, farmerId);
  if (farmId === undefined) return [];
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 29));
  const rows = await em.execute<{ day: string; status: string; orders: string; total: string; currency: string }[]>(
    `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, status, currency,
            count(*) AS orders, sum(total_minor) AS total
       FROM orders WHERE farm_id = ? AND deleted_at IS NULL AND created_at >= ?
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    [farmId, since],
  );
  return rows.map((row) => ({
    day: row.day,
    status: row.status,
    orders: Number(row.orders),
    totalMinor: Number(row.total),
    currency: row.currency,
  }));
}
