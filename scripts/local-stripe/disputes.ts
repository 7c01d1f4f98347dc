import { z } from "zod";

import type { FormParams } from "./form-params.js";
import { LocalStripeError } from "./local-stripe-error.js";
import type { LocalStripeStore, StripeList, StripeObject } from "./local-stripe-store.js";
import { stripeId } from "./stripe-id.js";
import { listParams, parseStripeParams } from "./stripe-params.js";

/** Why the cardholder disputed, from Stripe's list of dispute reasons. */
export type DisputeReason = "fraudulent" | "product_not_received" | "product_unacceptable" | "duplicate" | "general";

/** Chargebacks: opened and closed by test controls (a bank does it on Stripe), read through the API. */
export class Disputes {
  constructor(private readonly store: LocalStripeStore) {}

  /** Opens a dispute on a succeeded charge (or a PaymentIntent's latest charge) for its unrefunded amount. */
  open(chargeOrPaymentIntent: string, options: { reason?: DisputeReason; amount?: number } = {}): StripeObject {
    const charge = chargeOrPaymentIntent.startsWith("pi_")
      ? this.store.get(
          "charge",
          String(this.store.get("payment_intent", chargeOrPaymentIntent).latest_charge),
          "charge",
        )
      : this.store.get("charge", chargeOrPaymentIntent, "charge");
    if (charge.status !== "succeeded") {
      throw LocalStripeError.invalidRequest(`Charge ${charge.id} did not succeed, so it cannot be disputed.`);
    }
    if (charge.disputed === true) {
      throw LocalStripeError.invalidRequest(`Charge ${charge.id} is already disputed.`, { code: "charge_disputed" });
    }
    const amount = options.amount ?? (charge.amount as number) - (charge.amount_refunded as number);
    const dispute = this.store.insert({
      id: stripeId("dp"),
      object: "dispute",
      amount,
      balance_transactions: [],
      charge: charge.id,
      currency: charge.currency,
      evidence_details: {
        due_by: this.store.now() + 7 * 24 * 60 * 60,
        has_evidence: false,
        past_due: false,
        submission_count: 0,
      },
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      payment_intent: charge.payment_intent,
      reason: options.reason ?? "fraudulent",
      status: "needs_response",
    });
    charge.disputed = true;
    this.store.emit("charge.dispute.created", dispute);
    return dispute;
  }

  /** Closes an open dispute the way the bank decided; `lost` keeps the money with the cardholder. */
  close(id: string, status: "won" | "lost"): StripeObject {
    const dispute = this.get(id);
    if (dispute.status === "won" || dispute.status === "lost") {
      throw LocalStripeError.invalidRequest(`Dispute ${id} is already closed (${String(dispute.status)}).`);
    }
    const previous = { status: dispute.status };
    dispute.status = status;
    this.store.emit("charge.dispute.closed", dispute, previous);
    return dispute;
  }

  get(id: string): StripeObject {
    return this.store.get("dispute", id);
  }

  list(params: FormParams): StripeList {
    const query = parseStripeParams(
      z.strictObject({ ...listParams, charge: z.string().optional(), payment_intent: z.string().optional() }),
      params,
    );
    const disputes = this.store
      .all("dispute")
      .filter(
        (dispute) =>
          (query.charge === undefined || dispute.charge === query.charge) &&
          (query.payment_intent === undefined || dispute.payment_intent === query.payment_intent),
      );
    return this.store.list("/v1/disputes", disputes, query);
  }
}
