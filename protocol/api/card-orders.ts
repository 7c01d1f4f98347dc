import { z } from "zod";

import { REFUND_STATUSES } from "../vocabulary/order-vocabulary.js";

export const refundBody = z.strictObject({
  amountMinor: z.number().int().positive().describe("Minor units; at most what is left of the order's total"),
  reason: z.string().trim().min(1).max(500),
});

export const refundResult = z.object({
  refundId: z.uuid(),
  stripeRefundId: z.string().nullable(),
  status: z.enum(REFUND_STATUSES).describe("Where the refund stands at Stripe (pending or succeeded once accepted)"),
});

export const paymentPage = z.object({ url: z.url().describe("Stripe's hosted payment page for the order's checkout") });

export type RefundResult = z.infer<typeof refundResult>;
export type PaymentPage = z.infer<typeof paymentPage>;
