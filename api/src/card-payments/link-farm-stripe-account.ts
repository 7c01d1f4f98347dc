import type { EntityManager } from "@mikro-orm/postgresql";
import type Stripe from "stripe";
import type { z } from "zod";

import type { stripeAccount } from "../../../protocol/api/farm-payouts.js";
import { Farm } from "../entities/Farm.js";
import { NotFoundError } from "../errors.js";

/** A farm's connected account and where its farmer finishes onboarding. */
export type FarmStripeAccountView = z.input<typeof stripeAccount>;

/**
 * Links a farm to a Stripe Connect Express account (creating it once: the creation's idempotency key is the farm's
 * id, and the account id is kept) and returns a fresh onboarding link. 404 unless the caller owns the farm.
 */
export async function linkFarmStripeAccount(
  em: EntityManager,
  deps: { stripe: Stripe; webAppUrl: string },
  input: { farmId: string; farmerId: string },
): Promise<FarmStripeAccountView> {
  const farm = await em.findOne(Farm, { id: input.farmId, owner: input.farmerId });
  if (farm === null) throw new NotFoundError("No farm of yours has this id");
  const [existing] = await em.execute<{ account_id: string }[]>(
    "SELECT account_id FROM farm_stripe_accounts WHERE farm_id = ?",
    [farm.id],
  );
  let accountId = existing?.account_id;
  if (accountId === undefined) {
    const account = await deps.stripe.accounts.create(
      { type: "express", metadata: { farmId: farm.id }, business_profile: { name: farm.name } },
      { idempotencyKey: `farm-account:${farm.id}` },
    );
    await em.execute(
      `INSERT INTO farm_stripe_accounts (farm_id, account_id, charges_enabled, payouts_enabled)
       VALUES (?, ?, ?, ?) ON CONFLICT (farm_id) DO NOTHING`,
      [farm.id, account.id, account.charges_enabled === true, account.payouts_enabled === true],
    );
    accountId = account.id;
  }
  const link = await deps.stripe.accountLinks.create({
    account: accountId,
    type: "account_onboarding",
    refresh_url: `${deps.webAppUrl}/farmer/payouts?refresh=1`,
    return_url: `${deps.webAppUrl}/farmer/payouts`,
  });
  const [state] = await em.execute<{ charges_enabled: boolean; payouts_enabled: boolean }[]>(
    "SELECT charges_enabled, payouts_enabled FROM farm_stripe_accounts WHERE farm_id = ?",
    [farm.id],
  );
  return {
    accountId,
    chargesEnabled: state.charges_enabled,
    payoutsEnabled: state.payouts_enabled,
    onboardingUrl: link.url,
  };
}
