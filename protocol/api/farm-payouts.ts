import { z } from "zod";

const minor = z.number().int().nonnegative();

export const farmParams = z.object({ id: z.uuid() });

export const stripeAccount = z.object({
  accountId: z.string(),
  chargesEnabled: z.boolean(),
  payoutsEnabled: z.boolean(),
  onboardingUrl: z.string().describe("Stripe's onboarding page for the farmer; single use, open it at once"),
});

export const payablesView = z.object({
  account: z.object({ accountId: z.string(), chargesEnabled: z.boolean(), payoutsEnabled: z.boolean() }).nullable(),
  balance: z.array(
    z.object({
      currency: z.string(),
      accruedMinor: minor,
      transferredMinor: minor,
      owedMinor: minor.describe(
        "What the farm owes for refunds its Stripe balance could not give back: netted from its next payouts",
      ),
    }),
  ),
  payables: z.array(
    z.object({
      orderId: z.uuid(),
      amountMinor: minor.describe("The farm's share: the order's total less the platform fee"),
      reversedMinor: minor.describe("Taken back for refunds and lost chargebacks"),
      debtNettedMinor: minor.describe("Kept from this payout to settle what the farm owed"),
      currency: z.string(),
      status: z.enum(["accrued", "transferred", "netted", "reversed"]),
      stripeTransferId: z.string().nullable(),
      createdAt: z.iso.datetime(),
    }),
  ),
});

export const salesSummary = z.object({
  days: z.array(
    z.object({
      day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      status: z.string(),
      orders: z.number().int().nonnegative(),
      totalMinor: minor,
      currency: z.string(),
    }),
  ),
});
