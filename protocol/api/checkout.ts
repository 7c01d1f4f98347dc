import { z } from "zod";

import { PAYMENT_METHODS, PAYMENT_TRANSACTION_OUTCOMES } from "../vocabulary/order-vocabulary.js";
import { address, bytes32, hexData as hex } from "./hex-strings.js";
import { orderSummary } from "./orders.js";

const tokenUnits = z
  .string()
  .regex(/^[0-9]+$/)
  .describe("An amount in the token's smallest units, as a decimal string");

export const checkoutBody = z.object({
  paymentMethod: z
    .enum(["escrow", "card", "eth"])
    .describe(
      "escrow: the stablecoin (at par with the shop currency), from the buyer's wallet into MarketplaceEscrow; " +
        "eth: ETH into the same escrow, the amount fixed in wei from the ETH price feed's latest round and honoured " +
        "until the quote expires (422 payment_method_unavailable while no price feed is configured, 503 " +
        "price_feed_unusable while its latest round is stale, incomplete or not positive); card: Stripe.",
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

const wei = z
  .string()
  .regex(/^[0-9]+$/)
  .describe("An amount in wei, as a decimal string");

const payers = z
  .array(address)
  .describe(
    "The wallets linked to the buyer's account, the only ones whose payment is accepted: refs are unique per wallet " +
      "on-chain, and an escrow order from any other wallet is recorded and ignored. Empty: link a wallet first " +
      "(POST /api/account/wallets).",
  );

/** The createOrder / createOrders call a wallet sends, whose value is `value`. */
function escrowCall<Value extends z.ZodType<string>>(value: Value, amount: z.ZodType<string>) {
  return z
    .discriminatedUnion("functionName", [
      z.object({
        functionName: z.literal("createOrder"),
        to: address,
        data: hex,
        value,
        args: z.object({ seller: address, token: address, amount, ref: bytes32 }),
      }),
      z.object({
        functionName: z.literal("createOrders"),
        to: address,
        data: hex,
        value,
        args: z.object({ token: address, requests: z.array(z.object({ seller: address, amount, ref: bytes32 })) }),
      }),
    ])
    .describe("The transaction to send: createOrder for one farm, createOrders for several; data is ABI-encoded");
}

export const escrowPayment = z.object({
  chainId: z.number().int(),
  escrowAddress: address,
  token: z.object({ address, decimals: z.number().int().nonnegative() }),
  approval: z
    .object({ spender: address, amount: tokenUnits })
    .describe("Approve the escrow for this much of the token (the sum of the orders) before sending the call"),
  deadline: z.iso.datetime().describe("Pay before this: an escrow order created later is flagged, not accepted"),
  deadlineUnix: z.number().int(),
  payers,
  orders: z.array(z.object({ orderId: z.uuid(), ref: bytes32, seller: address, amount: tokenUnits })),
  call: escrowCall(z.literal("0"), tokenUnits),
});

export const ethPayment = z.object({
  chainId: z.number().int(),
  escrowAddress: address,
  value: wei.describe("The orders' total in wei: the call's value (the token is address(0), ETH)"),
  quote: z
    .object({
      feedAddress: address.describe("The Chainlink-style price feed (AggregatorV3) the price was read from"),
      price: z
        .string()
        .regex(/^[1-9][0-9]*$/)
        .describe("The feed's answer: price / 10^priceDecimals units of the shop currency per ETH"),
      priceDecimals: z.number().int().min(0).max(36),
      roundId: z
        .string()
        .regex(/^[0-9]+$/)
        .describe("The feed round the price came from"),
      expiresAt: z.iso.datetime().describe("Pay before this: an order created later (by block time) is flagged"),
      expiresAtUnix: z.number().int(),
    })
    .describe(
      "Each order's wei is ceil(totalMinor × 10^18 × 10^priceDecimals / (price × 10^currency exponent)): rounded " +
        "up, at most 1 wei more than the amount is worth. A repeat of the Idempotency-Key returns this same quote.",
    ),
  deadline: z.iso.datetime().describe("The reservation's end; the quote expires at it or before"),
  deadlineUnix: z.number().int(),
  payers,
  orders: z.array(z.object({ orderId: z.uuid(), ref: bytes32, seller: address, amount: wei })),
  call: escrowCall(wei, wei),
});

export const checkoutResult = z.discriminatedUnion("paymentMethod", [
  z.object({ ...common, paymentMethod: z.literal("escrow"), escrow: escrowPayment }),
  z.object({ ...common, paymentMethod: z.literal("eth"), eth: ethPayment }),
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

export const checkoutParams = z.object({ id: z.uuid() });

/** A checkout's orders as its buyer follows them while paying: replaces reading the whole order list for them. */
export const checkoutOrders = z.object({
  checkoutId: z.uuid(),
  paymentMethod: z.enum(PAYMENT_METHODS).describe("As stored: an ETH checkout is escrow (its orders carry a quote)"),
  expiresAt: z.iso.datetime().describe("Orders still unpaid then expire"),
  orders: z.array(orderSummary).describe("Oldest first, one per farm, with what the buyer may do with each now"),
});

export const paymentTransactionBody = z.object({
  txHash: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, { error: "expected a 0x-prefixed 32-byte transaction hash" })
    .describe("The hash of the transaction the wallet sent to pay the checkout (the escrow call)"),
});

export const paymentTransaction = z.object({
  checkoutId: z.uuid(),
  txHash: bytes32,
  reportedAt: z.iso.datetime(),
  outcome: z
    .enum(PAYMENT_TRANSACTION_OUTCOMES)
    .nullable()
    .describe(
      "Null while its receipt has not been read; paid (mined into the escrow), failed (reverted), unrelated (mined, " +
        "not sent to the escrow)",
    ),
});

export type CheckoutResult = z.infer<typeof checkoutResult>;
export type CheckoutOrders = z.infer<typeof checkoutOrders>;
/** What a buyer may check out with: `eth` is paid into the same escrow (its orders are `escrow` with a quote). */
export type CheckoutMethod = z.infer<typeof checkoutBody>["paymentMethod"];
export type EscrowPayment = z.infer<typeof escrowPayment>;
export type EthPayment = z.infer<typeof ethPayment>;
export type PaymentTransaction = z.infer<typeof paymentTransaction>;
