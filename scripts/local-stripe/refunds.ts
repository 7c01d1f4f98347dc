import { z } from "zod";

import type { FormParams } from "./form-params.js";
import { LocalStripeError } from "./local-stripe-error.js";
import type { LocalStripeStore, StripeList, StripeObject } from "./local-stripe-store.js";
import { stripeId } from "./stripe-id.js";
import { amountParam, expandParam, listParams, metadataParam, parseStripeParams } from "./stripe-params.js";

const createSchema = z.strictObject({
  payment_intent: z.string().optional(),
  charge: z.string().optional(),
  amount: amountParam.optional(),
  reason: z.enum(["duplicate", "fraudulent", "requested_by_customer"]).optional(),
  metadata: metadataParam.optional(),
  expand: expandParam,
});

/** Refunds of a charge, full or partial; each moves the charge's `amount_refunded`. */
export class Refunds {
  constructor(private readonly store: LocalStripeStore) {}

  create(params: FormParams): StripeObject {
    const input = parseStripeParams(createSchema, params);
    const charge = this.chargeToRefund(input.payment_intent, input.charge);
    if (charge.disputed === true) {
      throw LocalStripeError.invalidRequest(`Charge ${charge.id} has been charged back; cannot issue a refund.`, {
        code: "charge_disputed",
      });
    }
    const remaining = (charge.amount as number) - (charge.amount_refunded as number);
    if (remaining === 0) {
      throw LocalStripeError.invalidRequest(`Charge ${charge.id} has already been refunded.`, {
        code: "charge_already_refunded",
      });
    }
    const amount = input.amount ?? remaining;
    if (amount > remaining) {
      throw LocalStripeError.invalidRequest(
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
        { param: "amount" },
      );
    }
    const refund = this.store.insert({
      id: stripeId("re"),
      object: "refund",
      amount,
      balance_transaction: stripeId("txn"),
      charge: charge.id,
      currency: charge.currency,
      destination_details: {
        type: "card",
        card: {
          reference: null,
          reference_status: "pending",
          reference_type: "acquirer_reference_number",
          type: "refund",
        },
      },
      metadata: input.metadata ?? {},
      payment_intent: charge.payment_intent,
      reason: input.reason ?? null,
      status: "succeeded",
    });
    const chargeBefore = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded = (charge.amount_refunded as number) + amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    this.store.emit("refund.created", refund);
    this.store.emit("charge.refunded", charge, chargeBefore);
    return refund;
  }

  /**
   * The card network's reference for a refund arrives after the refund, as `refund.updated` tells. Run after the
   * create response is sent so the response shows the refund as it was created.
   */
  settle(refundId: string): void {
    const refund = this.store.get("refund", refundId);
    const details = refund.destination_details as { card: Record<string, unknown> };
    const previous = { destination_details: { card: { reference: null, reference_status: "pending" } } };
    details.card.reference = String(Math.floor(Math.random() * 1e15)).padStart(15, "0");
    details.card.reference_status = "available";
    this.store.emit("refund.updated", refund, previous);
  }

  /**
   * The bank could not return the money (the card was closed), as with Stripe's test card 4000000000005126: the
   * refund becomes `failed`, the charge gets the amount back as unrefunded, and `refund.failed`, `refund.updated` and
   * `charge.refund.updated` are sent.
   */
  fail(refundId: string): StripeObject {
    const refund = this.store.get("refund", refundId);
    if (refund.status !== "succeeded" && refund.status !== "pending") {
      throw LocalStripeError.invalidRequest(`Refund ${refundId} is ${String(refund.status)}; it can no longer fail.`);
    }
    const charge = this.store.get("charge", refund.charge as string);
    charge.amount_refunded = (charge.amount_refunded as number) - (refund.amount as number);
    charge.refunded = false;
    const previous = { status: refund.status, failure_reason: null };
    refund.status = "failed";
    refund.failure_reason = "expired_or_canceled_card";
    this.store.emit("refund.failed", refund, previous);
    this.store.emit("refund.updated", refund, previous);
    this.store.emit("charge.refund.updated", refund, previous);
    return refund;
  }

  get(id: string): StripeObject {
    return this.store.get("refund", id);
  }

  list(params: FormParams): StripeList {
    const query = parseStripeParams(
      z.strictObject({ ...listParams, charge: z.string().optional(), payment_intent: z.string().optional() }),
      params,
    );
    const refunds = this.store
      .all("refund")
      .filter(
        (refund) =>
          (query.charge === undefined || refund.charge === query.charge) &&
          (query.payment_intent === undefined || refund.payment_intent === query.payment_intent),
      );
    return this.store.list("/v1/refunds", refunds, query);
  }

  private chargeToRefund(paymentIntentId: string | undefined, chargeId: string | undefined): StripeObject {
    if (paymentIntentId === undefined && chargeId === undefined) {
      throw LocalStripeError.invalidRequest(
        "One of the following params should be provided for this request: payment_intent or charge.",
        { code: "parameter_missing" },
      );
    }
    if (chargeId !== undefined) {
      const charge = this.store.get("charge", chargeId, "charge");
      if (paymentIntentId !== undefined && charge.payment_intent !== paymentIntentId) {
        throw LocalStripeError.invalidRequest(
          `Charge ${chargeId} does not belong to PaymentIntent ${paymentIntentId}.`,
          {
            param: "charge",
          },
        );
      }
      if (charge.status !== "succeeded") {
        throw LocalStripeError.invalidRequest(`Charge ${chargeId} did not succeed, so it cannot be refunded.`, {
          param: "charge",
        });
      }
      return charge;
    }
    const paymentIntent = this.store.get("payment_intent", paymentIntentId!, "payment_intent");
    if (paymentIntent.status !== "succeeded" || typeof paymentIntent.latest_charge !== "string") {
      throw LocalStripeError.invalidRequest(
        `This PaymentIntent (${paymentIntent.id}) does not have a successful charge to refund.`,
        { code: "charge_not_refundable", param: "payment_intent" },
      );
    }
    return this.store.get("charge", paymentIntent.latest_charge);
  }
}
