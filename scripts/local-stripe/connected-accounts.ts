import { z } from "zod";

import type { FormParams } from "./form-params.js";
import { LocalStripeError } from "./local-stripe-error.js";
import type { LocalStripeStore, StripeObject } from "./local-stripe-store.js";
import { stripeId } from "./stripe-id.js";
import { booleanParam, expandParam, metadataParam, parseStripeParams } from "./stripe-params.js";

const LINK_LIFETIME_SECONDS = 300;

const createSchema = z.strictObject({
  type: z.enum(["express", "standard", "custom"]),
  country: z.string().length(2).optional(),
  email: z.string().optional(),
  business_type: z.enum(["individual", "company", "non_profit", "government_entity"]).optional(),
  capabilities: z.record(z.string(), z.strictObject({ requested: booleanParam })).optional(),
  business_profile: z.record(z.string(), z.string()).optional(),
  metadata: metadataParam.optional(),
  expand: expandParam,
});

const linkSchema = z.strictObject({
  account: z.string().min(1),
  refresh_url: z.string().min(1),
  return_url: z.string().min(1),
  type: z.enum(["account_onboarding", "account_update"]),
  collect: z.string().optional(),
  expand: expandParam,
});

/** An account link's target, kept for the local onboarding page. */
export interface AccountLinkTarget {
  account: string;
  refreshUrl: string;
  returnUrl: string;
  expiresAt: number;
}

/** Connect accounts for farms, and account links to a local onboarding page that enables them. */
export class ConnectedAccounts {
  private readonly links = new Map<string, AccountLinkTarget>();

  constructor(
    private readonly store: LocalStripeStore,
    private readonly publicUrl: string,
  ) {}

  create(params: FormParams): StripeObject {
    const input = parseStripeParams(createSchema, params);
    const requested = Object.entries(input.capabilities ?? {})
      .filter(([, capability]) => capability.requested)
      .map(([name]) => name);
    // Standard accounts come with both; an express or custom account without a request gets them too, so a farm can be
    // paid without the caller knowing Connect's capability names.
    const capabilityNames =
      input.type === "standard" || requested.length === 0 ? ["card_payments", "transfers"] : requested;
    return this.store.insert({
      id: stripeId("acct"),
      object: "account",
      business_profile: input.business_profile ?? {},
      business_type: input.business_type ?? null,
      capabilities: Object.fromEntries(capabilityNames.map((name) => [name, "inactive"])),
      charges_enabled: false,
      controller: { type: "application", is_controller: true },
      country: input.country ?? "US",
      default_currency: "usd",
      details_submitted: false,
      email: input.email ?? null,
      metadata: input.metadata ?? {},
      payouts_enabled: false,
      requirements: {
        currently_due: ["business_profile.url", "external_account", "tos_acceptance.date"],
        disabled_reason: "requirements.past_due",
        eventually_due: ["business_profile.url", "external_account", "tos_acceptance.date"],
        past_due: ["external_account", "tos_acceptance.date"],
      },
      type: input.type,
    });
  }

  get(id: string): StripeObject {
    return this.store.get("account", id);
  }

  createLink(params: FormParams): StripeObject {
    const input = parseStripeParams(linkSchema, params);
    this.store.get("account", input.account, "account");
    const linkId = stripeId("acctlink");
    const expiresAt = this.store.now() + LINK_LIFETIME_SECONDS;
    this.links.set(linkId, {
      account: input.account,
      refreshUrl: input.refresh_url,
      returnUrl: input.return_url,
      expiresAt,
    });
    return {
      id: linkId,
      object: "account_link",
      created: this.store.now(),
      expires_at: expiresAt,
      url: `${this.publicUrl}/connect/onboarding/${linkId}`,
    };
  }

  link(linkId: string): AccountLinkTarget {
    const link = this.links.get(linkId);
    if (link === undefined) throw LocalStripeError.resourceMissing("account_link", linkId);
    return link;
  }

  /** What finishing onboarding does on Stripe: details submitted, charges and payouts enabled, capabilities active. */
  completeOnboarding(accountId: string): StripeObject {
    const account = this.get(accountId);
    if (account.details_submitted === true) return account;
    const previous = {
      capabilities: { ...(account.capabilities as Record<string, string>) },
      charges_enabled: account.charges_enabled,
      details_submitted: account.details_submitted,
      payouts_enabled: account.payouts_enabled,
      requirements: structuredClone(account.requirements),
    };
    Object.assign(account, {
      capabilities: Object.fromEntries(Object.keys(account.capabilities as object).map((name) => [name, "active"])),
      charges_enabled: true,
      details_submitted: true,
      payouts_enabled: true,
      requirements: { currently_due: [], disabled_reason: null, eventually_due: [], past_due: [] },
    });
    this.store.emit("account.updated", account, previous);
    return account;
  }
}
