import type { CheckoutMethod } from "../../../protocol/api/checkout";

const STORAGE_PREFIX = "agridao.checkoutKey.";

/**
 * The Idempotency-Key of the current checkout attempt with `method`: made once and kept (in sessionStorage, so a reload
 * is still the same attempt) until the attempt succeeds, so retrying after a network error never checks out twice.
 */
export function checkoutKey(method: CheckoutMethod): string {
  const storageKey = STORAGE_PREFIX + method;
  const stored = sessionStorage.getItem(storageKey);
  if (stored !== null) return stored;
  const key = crypto.randomUUID();
  sessionStorage.setItem(storageKey, key);
  return key;
}

/** Ends the attempt: the next checkout gets a new key. */
export function forgetCheckoutKey(method: CheckoutMethod): void {
  sessionStorage.removeItem(STORAGE_PREFIX + method);
}
