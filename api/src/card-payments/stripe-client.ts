import Stripe from "stripe";

import type { ApiConfig } from "../config.js";

/**
 * The Stripe SDK as configured: api.stripe.com, or the host STRIPE_API_URL names (the local stand-in in tests and the
 * dev stack). Undefined without STRIPE_SECRET_KEY: card payments are then off.
 */
export function createStripeClient(config: ApiConfig["stripe"]): Stripe | undefined {
  if (config.secretKey === undefined) return undefined;
  return new Stripe(config.secretKey, { maxNetworkRetries: 2, ...(config.api ?? {}) });
}
