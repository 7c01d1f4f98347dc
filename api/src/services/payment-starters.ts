import { encodeFunctionData } from "viem";
import type { Hex } from "viem";

import { marketplaceEscrowAbi } from "../../../deploy/generated/contracts.js";
import type { PaymentMethod } from "../order-vocabulary.js";

/** What a payment starter is given: a checkout just created (or replayed) and its orders. */
export interface StartedCheckout {
  checkoutId: string;
  buyerId: string;
  currency: string;
  expiresAt: Date;
  orders: {
    id: string;
    farmId: string;
    totalMinor: number;
    /** Set for escrow orders: the ref, seller and amount (token units, decimal) the on-chain order must carry. */
    escrow: { ref: Hex; seller: Hex; amount: string } | null;
  }[];
}

/** The call the buyer's wallet makes to pay every order of an escrow checkout at once. */
export type EscrowCall =
  | {
      functionName: "createOrder";
      to: Hex;
      data: Hex;
      value: "0";
      args: { seller: Hex; token: Hex; amount: string; ref: Hex };
    }
  | {
      functionName: "createOrders";
      to: Hex;
      data: Hex;
      value: "0";
      args: { token: Hex; requests: { seller: Hex; amount: string; ref: Hex }[] };
    };

/** Everything a wallet needs to pay an escrow checkout: approve `approval.amount` of the token, then send `call`. */
export interface EscrowPayment {
  chainId: number;
  escrowAddress: Hex;
  token: { address: Hex; decimals: number };
  approval: { spender: Hex; amount: string };
  /** The reservation's end: an on-chain order created later is flagged as a late payment, not accepted. */
  deadline: string;
  deadlineUnix: number;
  orders: { orderId: string; ref: Hex; seller: Hex; amount: string }[];
  call: EscrowCall;
}

/** How a checkout's payment begins, by method: what the client does next. */
export type PaymentStart =
  | { paymentMethod: "escrow"; escrow: EscrowPayment }
  | {
      paymentMethod: "card";
      /** Where to send the buyer to pay: the Stripe Checkout Session's page. */
      card: { redirectUrl: string | null };
    };

/**
 * Starts the payment of a checkout. Called on the first request and again on every replay of its Idempotency-Key,
 * so it must be idempotent (the escrow call is derived from stored data; a card session uses a key derived from
 * the checkout id).
 */
export interface PaymentStarter {
  start(checkout: StartedCheckout): Promise<PaymentStart>;
}

export type PaymentStarters = Record<PaymentMethod, PaymentStarter>;

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
      const orders = checkout.orders.map((order) => {
        if (order.escrow === null) throw new Error(`order ${order.id} of an escrow checkout has no escrow terms`);
        return { orderId: order.id, ...order.escrow };
      });
      const total = orders.reduce((sum, order) => sum + BigInt(order.amount), 0n);
      const requests = orders.map(({ seller, amount, ref }) => ({ seller, amount, ref }));
      const call: EscrowCall =
        requests.length === 1
          ? {
              functionName: "createOrder",
              to: escrowAddress,
              value: "0",
              data: encodeFunctionData({
                abi: marketplaceEscrowAbi,
                functionName: "createOrder",
                args: [requests[0].seller, token, BigInt(requests[0].amount), requests[0].ref],
              }),
              args: { ...requests[0], token },
            }
          : {
              functionName: "createOrders",
              to: escrowAddress,
              value: "0",
              data: encodeFunctionData({
                abi: marketplaceEscrowAbi,
                functionName: "createOrders",
                args: [token, requests.map((request) => ({ ...request, amount: BigInt(request.amount) }))],
              }),
              args: { token, requests },
            };
      return Promise.resolve({
        paymentMethod: "escrow",
        escrow: {
          chainId,
          escrowAddress,
          token: { address: token, decimals: tokenDecimals },
          approval: { spender: escrowAddress, amount: total.toString() },
          deadline: checkout.expiresAt.toISOString(),
          deadlineUnix: Math.floor(checkout.expiresAt.getTime() / 1000),
          orders,
          call,
        },
      });
    },
  };
}
