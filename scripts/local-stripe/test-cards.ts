/** What happens when a buyer pays with a card number, following Stripe's published test cards. */
export type CardBehaviour =
  | { kind: "succeeds" }
  | { kind: "declined"; code: string; declineCode?: string; message: string }
  | { kind: "requires_authentication" }
  /** Succeeds, then the cardholder disputes the charge (Stripe's 4000 0000 0000 0259). */
  | { kind: "succeeds_then_disputed" };

const CARDS: Record<string, CardBehaviour> = {
  "4242424242424242": { kind: "succeeds" },
  "5555555555554444": { kind: "succeeds" },
  "4000000000000002": {
    kind: "declined",
    code: "card_declined",
    declineCode: "generic_decline",
    message: "Your card was declined.",
  },
  "4000000000009995": {
    kind: "declined",
    code: "card_declined",
    declineCode: "insufficient_funds",
    message: "Your card has insufficient funds.",
  },
  "4000002760003184": { kind: "requires_authentication" },
  "4000000000000259": { kind: "succeeds_then_disputed" },
};

/** The behaviour of `number` (spaces and dashes ignored); an unknown number is refused as Stripe's test mode does. */
export function cardBehaviour(number: string): CardBehaviour {
  const digits = number.replace(/[\s-]/g, "");
  return (
    CARDS[digits] ?? {
      kind: "declined",
      code: "incorrect_number",
      message: "Your card number is incorrect. Use a Stripe test card such as 4242 4242 4242 4242.",
    }
  );
}

/** The brand Stripe reports for a test card number. */
export function cardBrand(number: string): string {
  return number.replace(/[\s-]/g, "").startsWith("5") ? "mastercard" : "visa";
}
