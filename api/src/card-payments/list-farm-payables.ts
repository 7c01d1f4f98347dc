import type { EntityManager } from "@mikro-orm/postgresql";
import type { z } from "zod";

import type { payablesView } from "../../../protocol/api/farm-payouts.js";
import { farmIdOfOwner } from "../catalog/farm-id-of-owner.js";
import type { FarmPayableStatus } from "../entities/FarmPayable.js";

/** What the platform owes a farm for card orders, and what it already paid. */
export type FarmPayablesView = z.input<typeof payablesView>;

/** The farmer's payables, newest first (at most 200), with the balance over all of them; empty without a farm. */
export async function listFarmPayables(em: EntityManager, farmerId: string): Promise<FarmPayablesView> {
  const farmId = await farmIdOfOwner(em, farmerId);
  if (farmId === undefined) return { account: null, balance: [], payables: [] };
  const [account] = await em.execute<{ account_id: string; charges_enabled: boolean; payouts_enabled: boolean }[]>(
    "SELECT account_id, charges_enabled, payouts_enabled FROM farm_stripe_accounts WHERE farm_id = ?",
    [farmId],
  );
  const balance = await em.execute<{ currency: string; accrued: string; transferred: string; owed: string }[]>(
    `SELECT currency, sum(accrued) AS accrued, sum(transferred) AS transferred, sum(owed) AS owed FROM (
       SELECT currency,
              COALESCE(sum(amount_minor - reversed_minor) FILTER (WHERE status = 'accrued'), 0) AS accrued,
              COALESCE(sum(amount_minor - reversed_minor - debt_netted_minor) FILTER (WHERE status = 'transferred'), 0)
                AS transferred,
              0 AS owed
         FROM farm_payables WHERE farm_id = ? GROUP BY currency
       UNION ALL
       SELECT currency, 0, 0, sum(amount_minor - netted_minor)
         FROM farm_debts WHERE farm_id = ? AND status IN ('owed', 'unconfirmed') GROUP BY currency
     ) parts GROUP BY currency ORDER BY currency`,
    [farmId, farmId],
  );
  const rows = await em.execute<
    {
      order_id: string;
      amount_minor: string;
      reversed_minor: string;
      debt_netted_minor: string;
      currency: string;
      status: FarmPayableStatus;
      stripe_transfer_id: string | null;
      created_at: Date;
    }[]
  >(
    `SELECT order_id, amount_minor, reversed_minor, debt_netted_minor, currency, status, stripe_transfer_id, created_at
       FROM farm_payables WHERE farm_id = ? ORDER BY created_at DESC, id DESC LIMIT 200`,
    [farmId],
  );
  return {
    account:
      account === undefined
        ? null
        : {
            accountId: account.account_id,
            chargesEnabled: account.charges_enabled,
            payoutsEnabled: account.payouts_enabled,
          },
    balance: balance.map((row) => ({
      currency: row.currency,
      accruedMinor: Number(row.accrued),
      transferredMinor: Number(row.transferred),
      owedMinor: Number(row.owed),
    })),
    payables: rows.map((row) => ({
      orderId: row.order_id,
      amountMinor: Number(row.amount_minor),
      reversedMinor: Number(row.reversed_minor),
      debtNettedMinor: Number(row.debt_netted_minor),
      currency: row.currency,
      status: row.status,
      stripeTransferId: row.stripe_transfer_id,
      createdAt: new Date(row.created_at).toISOString(),
    })),
  };
}
