import { z } from "zod";

import { orderSummary } from "../orders/schemas.js";

const address = z.string().regex(/^0x[0-9a-f]{40}$/);
const bytes32 = z.string().regex(/^0x[0-9a-f]{64}$/);
const hex = z.string().regex(/^0x[0-9a-f]*$/);
const tokenUnits = z
  .string()
  .regex(/^[0-9]+$/)
  .describe("An amount in the token's smallest units, as a decimal string");

/** An Idempotency-Key: 1 to 255 visible ASCII characters, as Stripe and the IETF draft allow. */
export const idempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/, {
  error: "expected 1 to 255 visible ASCII characters",
});

export const checkoutBody = z.object({
  paymentMethod: z
    .enum(["escrow", "card", "eth"])
    .describe(
      "escrow: the stablecoin, from the buyer's wallet into MarketplaceEscrow; card: Stripe. eth is refused with " +
        "422 payment_method_unavailable while no ETH price feed is configured.",
    ),
});

const common = {
  checkoutId: z.uuid(),
  currency: z.string(),
  expiresAt: z.iso.datetime().describe("The reservation's end: unpaid orders then expire and their stock returns"),
  totalMinor: z.number().int().positive().describe("What the buyer pays across every order"),
  feeMinor: z.number().int().nonnegative().describe("The platform's share of totalMinor, across every order"),
  orders: z.array(orderSummary).describe("One order per farm, in the order the farms were first added to the cart"),
};

const requestEntry = z.object({ seller: address, amount: tokenUnits, ref: bytes32 });

const escrowPayment = z.object({
  chainId: z.number().int(),
  escrowAddress: address,
  token: z.object({ address, decimals: z.number().int().nonnegative() }),
  approval: z
    .object({ spender: address, amount: tokenUnits })
    .describe("Approve the escrow for this much of the token (the sum of the orders) before sending the call"),
  deadline: z.iso.datetime().describe("Pay before this: an escrow order created later is flagged, not accepted"),
  deadlineUnix: z.number().int(),
  orders: z.array(z.object({ orderId: z.uuid(), ref: bytes32, seller: address, amount: tokenUnits })),
  call: z
    .discriminatedUnion("functionName", [
      z.object({
        functionName: z.literal("createOrder"),
        to: address,
        data: hex,
        value: z.literal("0"),
        args: z.object({ seller: address, token: address, amount: tokenUnits, ref: bytes32 }),
      }),
      z.object({
        functionName: z.literal("createOrders"),
        to: address,
        data: hex,
        value: z.literal("0"),
        args: z.object({ token: address, requests: z.array(requestEntry) }),
      }),
    ])
    .describe("The transaction to send: createOrder for one farm, createOrders for several; data is ABI-encoded"),
});

export const checkoutResult = z.discriminatedUnion("paymentMethod", [
  z.object({ ...common, paymentMethod: z.literal("escrow"), escrow: escrowPayment }),
  z.object({
    ...common,
    paymentMethod: z.literal("card"),
    card: z.object({
      redirectUrl: z
        .string()
        .nullable()
        .describe("The Stripe Checkout page to send the buyer to (null only if Stripe returned no URL)"),
    }),
  }),
]);
