/** The `type` of a Stripe API error; the SDK picks its error class from it and the HTTP status. */
export type StripeErrorType =
  | "api_error"
  | "card_error"
  | "idempotency_error"
  | "invalid_request_error"
  | "rate_limit_error"
  | "authentication_error";

interface ErrorFields {
  code?: string;
  param?: string;
  declineCode?: string;
  /** Extra fields Stripe puts beside the message (`payment_intent`, `charge`, ...). */
  extra?: Record<string, unknown>;
  /**
   * The request was refused before the endpoint ran (its parameters failed validation), so, as on Stripe, no
   * idempotent result is saved and the same key may be used again with corrected parameters.
   */
  beforeExecution?: boolean;
}

/** A failure the local Stripe answers with Stripe's status code and `{"error": {type, code, message, param}}` body. */
export class LocalStripeError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly fields: ErrorFields = {},
  ) {
    super(message);
    this.name = "LocalStripeError";
  }

  static invalidRequest(message: string, fields: ErrorFields = {}): LocalStripeError {
    return new LocalStripeError(400, "invalid_request_error", message, fields);
  }

  /** Stripe's 404 for an id it does not know: "No such checkout.session: 'cs_x'". */
  static resourceMissing(objectName: string, id: string, param = "id"): LocalStripeError {
    return new LocalStripeError(404, "invalid_request_error", `No such ${objectName}: '${id}'`, {
      code: "resource_missing",
      param,
    });
  }

  /** The JSON body Stripe sends with an error. */
  body(): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { type: this.type, message: this.message };
    if (this.fields.code !== undefined) {
      error.code = this.fields.code;
      error.doc_url = `https://stripe.com/docs/error-codes/${this.fields.code.replaceAll("_", "-")}`;
    }
    if (this.fields.param !== undefined) error.param = this.fields.param;
    if (this.fields.declineCode !== undefined) error.decline_code = this.fields.declineCode;
    return { error: { ...error, ...this.fields.extra } };
  }
}
