import { z } from "zod";

export const refundBody = z.strictObject({
  amountMinor: z.number().int().positive().describe("Minor units; at most what is left of the order's total"),
  reason: z.string().trim().min(1).max(500),
});

export const refundResult = z.object({
  refundId: z.uuid(),
  stripeRefundId: z.string(),
});

export const paymentPage = z.object({ url: z.url().describe("Stripe's hosted payment page for the order's checkout") });
