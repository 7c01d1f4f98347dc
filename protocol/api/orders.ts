import { z } from "zod";

import { BPS } from "../escrow/basis-points.js";
import { ESCROW_ORDER_STATES } from "../escrow/order-state.js";
import { PRODUCT_UNITS } from "../vocabulary/catalog-vocabulary.js";
import {
  ORDER_EVENT_KINDS,
  ORDER_FLAG_KINDS,
  ORDER_STATUSES,
  PAYMENT_METHODS,
} from "../vocabulary/order-vocabulary.js";
import { address, bytes32, hexData } from "./hex-strings.js";

const minor = z.number().int().nonnegative();
const tokenUnits = z
  .string()
  .regex(/^[0-9]+$/)
  .describe("An amount in the token's smallest units, as a decimal string");

export const orderParams = z.object({ id: z.uuid() });

export const orderListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(200).optional().describe("The nextCursor of the previous page"),
});

/**
 * What the viewer may do with an order now, as the API judges it from the order, the linked escrow order and who
 * asks (the web shows these and never re-derives the rules): `pay` reopens a card order's payment page (GET
 * /api/orders/:id/payment-page); `cancel` (POST …/cancel); `ship` and `confirmDelivery` (a card order through the API,
 * POST …/ship or …/confirm; an escrow order from a wallet, `call`); `refundAfterTimeout` and `completeAfterTimeout`
 * (from a wallet, once the escrow's deadline passed); `openDispute` (POST …/disputes; an escrow dispute then answers
 * the wallet's openDispute call); `refund` (staff, POST …/refunds); `declinePayment` (the farm refunds from its wallet
 * an escrow payment that came after the order ended).
 */
export const ORDER_ACTION_KINDS = [
  "pay",
  "cancel",
  "ship",
  "confirmDelivery",
  "refundAfterTimeout",
  "completeAfterTimeout",
  "openDispute",
  "refund",
  "declinePayment",
] as const;
export type OrderActionKind = (typeof ORDER_ACTION_KINDS)[number];

export const orderAction = z.object({
  kind: z.enum(ORDER_ACTION_KINDS),
  call: z
    .object({
      chainId: z.number().int(),
      to: address,
      data: hexData,
      value: z.string().regex(/^[0-9]+$/),
      from: address.nullable().describe("The wallet that must send it; null when the escrow takes it from any wallet"),
      functionName: z.string(),
      args: z.record(z.string(), z.string()),
    })
    .nullable()
    .describe("For an action sent from a wallet to the escrow: the exact call; null for actions through the API"),
});

export const orderSummary = z.object({
  id: z.uuid(),
  checkoutId: z.uuid().describe("Shared by the orders of one checkout (one per farm)"),
  farm: z.object({ id: z.uuid(), name: z.string(), slug: z.string() }),
  buyerId: z.uuid(),
  status: z.enum(ORDER_STATUSES),
  paymentMethod: z.enum(PAYMENT_METHODS),
  currency: z.string(),
  subtotalMinor: minor.describe("Sum of the items, fixed at checkout"),
  feeBps: z.number().int().min(0).max(BPS).describe("The platform fee in force at checkout"),
  feeMinor: minor.describe("floor(subtotalMinor × feeBps / 10000): taken from what the farm receives"),
  totalMinor: minor.describe("What the buyer pays: the subtotal (the fee is included, not added)"),
  escrow: z
    .object({
      ref: bytes32.describe("The bytes32 reference the on-chain order must carry"),
      seller: address.describe("The farm's payout wallet at checkout"),
      amount: tokenUnits,
      quote: z
        .object({
          price: z.string().regex(/^[1-9][0-9]*$/),
          priceDecimals: z.number().int().min(0).max(36),
          roundId: z.string().regex(/^[0-9]+$/),
          expiresAt: z.iso.datetime(),
        })
        .nullable()
        .describe(
          "Paid in ETH: the price-feed round amount (wei) was computed from (price / 10^priceDecimals of the shop " +
            "currency per ETH) and when the quote expires; null for the stablecoin",
        ),
      orderId: z
        .string()
        .nullable()
        .describe(
          "The escrow's order id, once a payment from the buyer's wallet was linked: accepted, or (status cancelled " +
            "or expired) arrived after the stock was released, for the farm to refund or ship",
        ),
      onChain: z
        .object({
          state: z.enum(ESCROW_ORDER_STATES),
          deadline: z.iso
            .datetime()
            .describe(
              "Funded: the ship deadline (then anyone may refund the buyer); Shipped: the confirm deadline; " +
                "Disputed: the arbitration deadline; final: when it ended",
            ),
          buyer: address,
          seller: address,
          feeBps: z.number().int().min(0).max(BPS).describe("The fee the escrow order snapshotted"),
        })
        .nullable()
        .describe("The linked escrow order as indexed, whatever the order's status; null until linked"),
    })
    .nullable()
    .describe("What the escrow payment must be; null for card orders"),
  expiresAt: z.iso.datetime().describe("Unpaid by then, the order expires and its stock returns"),
  paidAt: z.iso.datetime().nullable(),
  shipBy: z.iso
    .datetime()
    .nullable()
    .describe(
      "A paid card order not shipped by then is refunded in full (the DAO's ship window from payment); null for " +
        "escrow orders, whose deadline is on-chain",
    ),
  shippedAt: z.iso.datetime().nullable(),
  deliveredAt: z.iso.datetime().nullable().describe("Confirmed by the buyer, or after the confirm window"),
  createdAt: z.iso.datetime(),
  actions: z.array(orderAction).describe("What the caller may do with the order now (empty when nothing)"),
  items: z.array(
    z.object({
      productId: z.uuid(),
      name: z.string().describe("As at checkout"),
      unit: z.enum(PRODUCT_UNITS),
      unitPriceMinor: minor.describe("As at checkout"),
      quantity: z.number().int().positive(),
      lineTotalMinor: minor,
    }),
  ),
});

export const orderDetail = orderSummary.extend({
  flags: z
    .array(
      z.object({
        kind: z.enum(ORDER_FLAG_KINDS),
        details: z.record(z.string(), z.unknown()),
        createdAt: z.iso.datetime(),
        resolvedAt: z.iso.datetime().nullable(),
      }),
    )
    .describe("Payments not accepted as they stood (wrong amount, seller or token; too late)"),
  timeline: z
    .array(
      z.object({
        kind: z.enum(ORDER_EVENT_KINDS),
        occurredAt: z.iso.datetime(),
        actorId: z.uuid().nullable(),
        data: z.record(z.string(), z.unknown()).describe("On-chain events carry txHash, logIndex and blockNumber"),
      }),
    )
    .describe("Everything that happened to the order, oldest first"),
});

export const orderPage = z.object({
  orders: z.array(orderSummary),
  nextCursor: z.string().nullable(),
});

export const flagListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z
    .string()
    .regex(/^[0-9]{1,18}$/)
    .optional()
    .describe("The nextCursor of the previous page"),
  unresolved: z
    .enum(["true", "false"])
    .default("true")
    .transform((value) => value === "true")
    .describe("Only flags nobody resolved yet (the default)"),
});

export const flagPage = z.object({
  flags: z.array(
    z.object({
      id: z.string(),
      orderId: z.uuid().nullable().describe("Null for an escrow order whose ref names no order"),
      kind: z.enum(ORDER_FLAG_KINDS),
      details: z.record(z.string(), z.unknown()),
      createdAt: z.iso.datetime(),
      resolvedAt: z.iso.datetime().nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const declineOrderCall = z.object({
  chainId: z.number().int(),
  to: address,
  data: hexData,
  value: z.literal("0"),
  from: address.describe("The farm's payout wallet: the escrow order's seller, the only wallet that may send it"),
  functionName: z.literal("declineOrder"),
  args: z.object({ orderId: z.string().regex(/^[0-9]+$/) }),
});

export type OrderSummary = z.infer<typeof orderSummary>;
export type OrderAction = z.infer<typeof orderAction>;
export type OrderDetail = z.infer<typeof orderDetail>;
export type OrderPage = z.infer<typeof orderPage>;
export type OrderFlag = OrderDetail["flags"][number];
export type OrderEvent = OrderDetail["timeline"][number];
export type FlagPage = z.infer<typeof flagPage>;
/** The price-feed round an order paid in ETH was quoted from: `price / 10**priceDecimals` shop currency per ETH. */
export type EthQuote = NonNullable<NonNullable<OrderSummary["escrow"]>["quote"]>;
export type DeclineOrderCall = z.infer<typeof declineOrderCall>;
