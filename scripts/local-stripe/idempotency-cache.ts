import { LocalStripeError } from "./local-stripe-error.js";

/** A response as it was first sent, to replay for the same idempotency key. */
export interface SavedResponse {
  status: number;
  body: unknown;
}

const LIFETIME_MS = 24 * 60 * 60 * 1000;

/**
 * Stripe's idempotent requests: a POST's first response is kept for 24 hours under its `Idempotency-Key` (per API
 * key and account); the same key with the same method, path and parameters gets that response again, the same key
 * with anything different gets a 400 `idempotency_error`.
 */
export class IdempotencyCache {
  private readonly saved = new Map<string, { fingerprint: string; response: SavedResponse; at: number }>();

  /** The saved response for this key, if the request matches; throws Stripe's error when it does not. */
  lookup(scope: string, key: string, fingerprint: string): SavedResponse | undefined {
    const entry = this.saved.get(`${scope}\u0000${key}`);
    if (entry === undefined || Date.now() - entry.at > LIFETIME_MS) return undefined;
    if (entry.fingerprint !== fingerprint) {
      throw new LocalStripeError(
        400,
        "idempotency_error",
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    return entry.response;
  }

  save(scope: string, key: string, fingerprint: string, response: SavedResponse): void {
    this.saved.set(`${scope}\u0000${key}`, { fingerprint, response, at: Date.now() });
  }
}
