import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { PAYMENT_TRANSACTION_OUTCOMES } from "../../../protocol/vocabulary/order-vocabulary.js";
import { oneOfCheck } from "../database/one-of-check.js";
import type { PaymentTransactionOutcome } from "../../../protocol/vocabulary/order-vocabulary.js";

import { Checkout } from "./Checkout.js";

/**
 * A transaction the buyer's wallet reported sending to pay an escrow checkout, before the chain or the indexer has
 * it: while it is pending, the checkout's orders are neither cancelled nor expired (see paymentInFlight). `outcome`
 * and `minedBlock` are set together once its receipt was read.
 * Invariant: this definition and the migrations describe the same table (test/api/entities.test.ts diffs them).
 */
export const PaymentTransaction = defineEntity({
  name: "PaymentTransaction",
  tableName: "payment_transactions",
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    checkout: () => p.manyToOne(Checkout).deleteRule("cascade"),
    /** 0x + 64 lower-case hex. */
    txHash: p.text(),
    reportedAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
    outcome: p.text().$type<PaymentTransactionOutcome>().nullable(),
    minedBlock: p.bigint("number").nullable(),
  },
  uniques: [{ name: "payment_transactions_checkout_id_tx_hash_unique", properties: ["checkout", "txHash"] }],
  checks: [
    { name: "payment_transactions_tx_hash_check", expression: "tx_hash ~ '^0x[0-9a-f]{64}$'" },
    { name: "payment_transactions_outcome_check", expression: oneOfCheck("outcome", PAYMENT_TRANSACTION_OUTCOMES) },
    { name: "payment_transactions_mined_check", expression: "(outcome IS NULL) = (mined_block IS NULL)" },
  ],
});

export type PaymentTransaction = InferEntity<typeof PaymentTransaction>;
