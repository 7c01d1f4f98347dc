import { zeroAddress } from "viem";
import type { Hex } from "viem";

import type { CheckoutResult, EscrowPayment, EthPayment } from "../../../protocol/api/checkout.js";
import type { EthQuote } from "../../../protocol/api/orders.js";
import { contractCallJson } from "../../../protocol/contract-call.js";
import { escrowCalls } from "../../../protocol/escrow/escrow-calls.js";
import type { PaymentMethod } from "../../../protocol/vocabulary/order-vocabulary.js";

/** What a payment starter is given: a checkout just created (or replayed) and its orders. */
export interface StartedCheckout {
  checkoutId: string;
  buyerId: string;
  /** The wallets linked to the buyer's account, lower-case: the only ones whose escrow payment the API accepts. */
  payers: Hex[];
  currency: string;
  expiresAt: Date;
  orders: {
    id: string;
    farmId: string;
    totalMinor: number;
    /**
     * Set for escrow orders: the ref, seller and amount (token units, decimal; wei for ETH) the on-chain order must
     * carry, and for an order paid in ETH the price quote the amount came from.
     */
    escrow: { ref: Hex; seller: Hex; amount: string; quote: EthQuote | null } | null;
  }[];
}

/** How a checkout's payment begins, by method: what the client does next. */
export type PaymentStart =
  | { paymentMethod: "escrow"; escrow: EscrowPayment }
  | { paymentMethod: "eth"; eth: EthPayment }
  | Pick<Extract<CheckoutResult, { paymentMethod: "card" }>, "paymentMethod" | "card">;

/**
 * Starts the payment of a checkout. Called on the first request and again on every replay of its Idempotency-Key,
 * so it must be idempotent (the escrow call is derived from stored data; a card session uses a key derived from
 * the checkout id).
 */
export interface PaymentStarter {
  start(checkout: StartedCheckout): Promise<PaymentStart>;
}

export type PaymentStarters = Record<PaymentMethod | "eth", PaymentStarter>;

/** `createOrder` for one order, `createOrders` for several, paying `token` (address(0) for ETH) with `value`. */
function escrowCallOf<Value extends bigint>(
  escrowAddress: Hex,
  token: Hex,
  requests: { seller: Hex; amount: string; ref: Hex }[],
  value: Value,
) {
  const orders = requests.map(({ seller, amount, ref }) => ({ seller, amount: BigInt(amount), ref }));
  return orders.length === 1
    ? contractCallJson(escrowCalls.createOrder(escrowAddress, { ...orders[0], token }, value))
    : contractCallJson(escrowCalls.createOrders(escrowAddress, token, orders, value));
}

/** The escrow terms of each order of a checkout, which must all be set. */
function escrowOrdersOf(checkout: StartedCheckout) {
  return checkout.orders.map((order) => {
    if (order.escrow === null) throw new Error(`order ${order.id} of an escrow checkout has no escrow terms`);
    const { ref, seller, amount, quote } = order.escrow;
    return { orderId: order.id, ref, seller, amount, quote };
  });
}

/** The escrow starter: encodes `createOrder` for one farm, `createOrders` for several, from the stored orders. */
export function createEscrowPaymentStarter(deps: {
  chainId: number;
  escrowAddress: Hex;
  tokenAddress: Hex;
  tokenDecimals: number;
}): PaymentStarter {
  const { chainId, escrowAddress, tokenAddress: token, tokenDecimals } = deps;
  return {
    start(checkout) {
      const orders = escrowOrdersOf(checkout).map(({ orderId, ref, seller, amount }) => ({
        orderId,
        ref,
        seller,
        amount,
      }));
      const total = orders.reduce((sum, order) => sum + BigInt(order.amount), 0n);
      const requests = orders.map(({ seller, amount, ref }) => ({ seller, amount, ref }));
      const call = escrowCallOf(escrowAddress, token, requests, 0n);
      return Promise.resolve({
        paymentMethod: "escrow",
        escrow: {
          chainId,
          escrowAddress,
          token: { address: token, decimals: tokenDecimals },
          approval: { spender: escrowAddress, amount: total.toString() },
          deadline: checkout.expiresAt.toISOString(),
          deadlineUnix: Math.floor(checkout.expiresAt.getTime() / 1000),
          payers: checkout.payers,
          orders,
          call,
        },
      });
    },
  };
}

/**
 * The ETH starter: the same escrow calls with token address(0) and the orders' wei as the value, from the stored
 * orders and their quotes (so a replay returns the quote given the first time, expired or not).
 */
export function createEthPaymentStarter(deps: {
  chainId: number;
  escrowAddress: Hex;
  feedAddress: Hex;
}): PaymentStarter {
  const { chainId, escrowAddress, feedAddress } = deps;
  return {
    start(checkout) {
      const escrowOrders = escrowOrdersOf(checkout);
      const [{ quote }] = escrowOrders;
      if (quote === null) throw new Error(`order ${escrowOrders[0].orderId} of an ETH checkout has no price quote`);
      const orders = escrowOrders.map(({ orderId, ref, seller, amount }) => ({ orderId, ref, seller, amount }));
      const value = orders.reduce((sum, order) => sum + BigInt(order.amount), 0n).toString();
      const requests = orders.map(({ seller, amount, ref }) => ({ seller, amount, ref }));
      return Promise.resolve({
        paymentMethod: "eth",
        eth: {
          chainId,
          escrowAddress,
          value,
          quote: { ...quote, feedAddress, expiresAtUnix: Math.floor(Date.parse(quote.expiresAt) / 1000) },
          deadline: checkout.expiresAt.toISOString(),
          deadlineUnix: Math.floor(checkout.expiresAt.getTime() / 1000),
          payers: checkout.payers,
          orders,
          call: escrowCallOf(escrowAddress, zeroAddress, requests, BigInt(value)),
        },
      });
    },
  };
}
