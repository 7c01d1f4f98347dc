import type { Hex } from "viem";

import { PaymentMethodUnavailableError } from "./checkout-errors.js";
import { createEscrowPaymentStarter, createEthPaymentStarter } from "./payment-starters.js";
import type { PaymentStarter, PaymentStarters } from "./payment-starters.js";

/**
 * The payment starters of the API process, by method, from what is configured. A method switched off has a starter
 * that refuses with the same typed 422 the checkout service gives, never a 500.
 */
export function paymentStartersFor(deps: {
  chainId: number;
  escrowAddress: Hex | undefined;
  escrowToken: { address: Hex; decimals: number } | undefined;
  eth: { escrowAddress: Hex; feed: { address: Hex } } | undefined;
  card: PaymentStarter | undefined;
}): PaymentStarters {
  const { chainId, escrowAddress, escrowToken, eth } = deps;
  return {
    escrow:
      escrowAddress === undefined || escrowToken === undefined
        ? {
            start: () =>
              Promise.reject(new PaymentMethodUnavailableError("escrow", "no escrow or payment token is configured")),
          }
        : createEscrowPaymentStarter({
            chainId,
            escrowAddress,
            tokenAddress: escrowToken.address,
            tokenDecimals: escrowToken.decimals,
          }),
    eth:
      eth === undefined
        ? {
            start: () =>
              Promise.reject(new PaymentMethodUnavailableError("eth", "no ETH price feed and escrow are configured")),
          }
        : createEthPaymentStarter({
            chainId,
            escrowAddress: eth.escrowAddress,
            feedAddress: eth.feed.address,
          }),
    card: deps.card ?? {
      start: () => Promise.reject(new PaymentMethodUnavailableError("card", "no Stripe account is configured")),
    },
  };
}
