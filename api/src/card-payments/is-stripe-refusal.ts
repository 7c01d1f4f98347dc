import Stripe from "stripe";

/**
 * Whether a failed Stripe call is known not to have happened (Stripe answered and refused it), as opposed to an
 * outcome nobody knows (no answer, a server error): only the first may be treated as final.
 */
export function isStripeRefusal(error: unknown): error is Stripe.errors.StripeError {
  return (
    error instanceof Stripe.errors.StripeInvalidRequestError ||
    error instanceof Stripe.errors.StripeCardError ||
    error instanceof Stripe.errors.StripePermissionError
  );
}
