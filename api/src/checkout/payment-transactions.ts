import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { z } from "zod";

import type { paymentTransaction } from "../../../protocol/api/checkout.js";
import { Checkout } from "../entities/Checkout.js";
import { PaymentTransaction } from "../entities/PaymentTransaction.js";
import { NotFoundError } from "../errors.js";
import { NotAnEscrowCheckoutError, TooManyPaymentTransactionsError } from "./checkout-errors.js";

/** A reported payment transaction as the API answers it. */
export type PaymentTransactionView = z.input<typeof paymentTransaction>;

export interface PaymentTransactions {
  /**
   * Records that the buyer's wallet sent `txHash` to pay the escrow checkout: while pending it stops the checkout's
   * orders from being cancelled or expired (see PaymentInFlightGuard). Idempotent: reporting the same hash again
   * returns the first report.
   */
  report(em: EntityManager, buyerId: string, checkoutId: string, txHash: string): Promise<PaymentTransactionView>;
}

/** Payment transactions reported by buyers' wallets; at most `maxPerCheckout` per checkout. */
export function createPaymentTransactions(deps: { maxPerCheckout: number }): PaymentTransactions {
  const viewOf = (transaction: PaymentTransaction, checkoutId: string): PaymentTransactionView => ({
    checkoutId,
    txHash: transaction.txHash,
    reportedAt: transaction.reportedAt.toISOString(),
    outcome: transaction.outcome ?? null,
  });

  return {
    async report(em, buyerId, checkoutId, rawHash) {
      const txHash = rawHash.toLowerCase();
      return em.transactional(async (tx) => {
        // Locked so that concurrent reports count each other against the limit.
        const checkout = await tx.findOne(
          Checkout,
          { id: checkoutId, buyer: buyerId },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (checkout === null) throw new NotFoundError("No checkout has this id");
        if (checkout.paymentMethod !== "escrow")
          throw new NotAnEscrowCheckoutError(checkout.id, checkout.paymentMethod);
        const existing = await tx.findOne(PaymentTransaction, { checkout: checkout.id, txHash });
        if (existing !== null) return viewOf(existing, checkout.id);
        if ((await tx.count(PaymentTransaction, { checkout: checkout.id })) >= deps.maxPerCheckout) {
          throw new TooManyPaymentTransactionsError(checkout.id, deps.maxPerCheckout);
        }
        const created = tx.create(PaymentTransaction, { checkout, txHash, outcome: null, minedBlock: null });
        await tx.flush();
        return viewOf(created, checkout.id);
      });
    },
  };
}
