import { z } from "zod";

import type { FormParams } from "./form-params.js";
import { LocalStripeError } from "./local-stripe-error.js";
import type { LocalStripeStore, StripeList, StripeObject } from "./local-stripe-store.js";
import { stripeId } from "./stripe-id.js";
import {
  amountParam,
  currencyParam,
  expandParam,
  listParams,
  metadataParam,
  parseStripeParams,
} from "./stripe-params.js";

const createSchema = z.strictObject({
  amount: amountParam,
  currency: currencyParam,
  destination: z.string().min(1),
  transfer_group: z.string().optional(),
  source_transaction: z.string().optional(),
  description: z.string().optional(),
  metadata: metadataParam.optional(),
  expand: expandParam,
});

const reversalSchema = z.strictObject({
  amount: amountParam.optional(),
  description: z.string().optional(),
  metadata: metadataParam.optional(),
  expand: expandParam,
});

/** Connect transfers to connected accounts ("separate charges and transfers"), and their reversals. */
export class Transfers {
  constructor(private readonly store: LocalStripeStore) {}

  create(params: FormParams): StripeObject {
    const input = parseStripeParams(createSchema, params);
    const account = this.store.get("account", input.destination, "destination");
    const capabilities = account.capabilities as Record<string, string>;
    if (capabilities.transfers !== "active") {
      throw LocalStripeError.invalidRequest(
        "Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments",
        { code: "insufficient_capabilities_for_transfer", param: "destination" },
      );
    }
    if (input.source_transaction !== undefined) {
      const charge = this.store.get("charge", input.source_transaction, "source_transaction");
      if (charge.status !== "succeeded") {
        throw LocalStripeError.invalidRequest(`Charge ${charge.id} did not succeed.`, { param: "source_transaction" });
      }
      if (charge.currency !== input.currency) {
        throw LocalStripeError.invalidRequest(
          `The currency of source_transaction's balance transaction (${String(charge.currency)}) must be the same as the transfer currency (${input.currency})`,
          { param: "currency" },
        );
      }
      const alreadyTransferred = this.store
        .all("transfer")
        .filter((transfer) => transfer.source_transaction === charge.id)
        .reduce((sum, transfer) => sum + (transfer.amount as number) - (transfer.amount_reversed as number), 0);
      if (alreadyTransferred + input.amount > (charge.amount as number)) {
        throw LocalStripeError.invalidRequest(
          `Insufficient funds in Stripe account: charge ${charge.id} has ${(charge.amount as number) - alreadyTransferred} left to transfer.`,
          { code: "balance_insufficient", param: "amount" },
        );
      }
    }
    const id = stripeId("tr");
    const transfer = this.store.insert({
      id,
      object: "transfer",
      amount: input.amount,
      amount_reversed: 0,
      balance_transaction: stripeId("txn"),
      currency: input.currency,
      description: input.description ?? null,
      destination: account.id,
      destination_payment: stripeId("py"),
      livemode: false,
      metadata: input.metadata ?? {},
      reversals: { object: "list", data: [], has_more: false, total_count: 0, url: `/v1/transfers/${id}/reversals` },
      reversed: false,
      source_transaction: input.source_transaction ?? null,
      source_type: "card",
      transfer_group: input.transfer_group ?? null,
    });
    this.store.emit("transfer.created", transfer);
    return transfer;
  }

  get(id: string): StripeObject {
    return this.store.get("transfer", id);
  }

  list(params: FormParams): StripeList {
    const query = parseStripeParams(
      z.strictObject({ ...listParams, destination: z.string().optional(), transfer_group: z.string().optional() }),
      params,
    );
    const transfers = this.store
      .all("transfer")
      .filter(
        (transfer) =>
          (query.destination === undefined || transfer.destination === query.destination) &&
          (query.transfer_group === undefined || transfer.transfer_group === query.transfer_group),
      );
    return this.store.list("/v1/transfers", transfers, query);
  }

  /** `POST /v1/transfers/:id/reversals`: takes back all (default) or part of what is left of a transfer. */
  reverse(transferId: string, params: FormParams): StripeObject {
    const input = parseStripeParams(reversalSchema, params);
    const transfer = this.get(transferId);
    const remaining = (transfer.amount as number) - (transfer.amount_reversed as number);
    const amount = input.amount ?? remaining;
    if (remaining === 0) {
      throw LocalStripeError.invalidRequest(`Transfer ${transferId} has already been fully reversed.`, {
        code: "transfer_already_reversed",
      });
    }
    if (amount > remaining) {
      throw LocalStripeError.invalidRequest(
        `You cannot reverse more than the remaining ${remaining} of transfer ${transferId}.`,
        { param: "amount" },
      );
    }
    const reversal = this.store.insert({
      id: stripeId("trr"),
      object: "transfer_reversal",
      amount,
      balance_transaction: stripeId("txn"),
      currency: transfer.currency,
      destination_payment_refund: stripeId("pyr"),
      metadata: input.metadata ?? {},
      source_refund: null,
      transfer: transfer.id,
    });
    const previous = { amount_reversed: transfer.amount_reversed, reversed: transfer.reversed };
    const reversals = transfer.reversals as { data: StripeObject[]; total_count: number };
    reversals.data.unshift(reversal);
    reversals.total_count += 1;
    transfer.amount_reversed = (transfer.amount_reversed as number) + amount;
    transfer.reversed = transfer.amount_reversed === transfer.amount;
    this.store.emit("transfer.reversed", transfer, previous);
    return reversal;
  }
}
