import Stripe from "stripe";

/** What Stripe said, for a debt's reason or a flag. */
export function stripeFailureOf(error: unknown): { reason: string; stripeCode: string | null } {
  if (error instanceof Stripe.errors.StripeError) {
    return { reason: error.message, stripeCode: error.code ?? null };
  }
  return { reason: error instanceof Error ? error.message : String(error), stripeCode: null };
}
