import type { CardPayments, PaymentOutcome } from "./card-payments.js";
import type { CheckoutSessions } from "./checkout-sessions.js";
import type { ConnectedAccounts } from "./connected-accounts.js";
import { LocalStripeError } from "./local-stripe-error.js";
import type { LocalStripeStore, StripeObject } from "./local-stripe-store.js";

/** An HTML page or a redirect. */
export interface PageResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HostedPageDeps {
  store: LocalStripeStore;
  sessions: CheckoutSessions;
  payments: CardPayments;
  accounts: ConnectedAccounts;
}

/**
 * The pages Stripe hosts, as plain HTML forms: Checkout (`/pay/:session`), its 3-D Secure challenge
 * (`/pay/:session/authenticate/:paymentIntent`) and Connect onboarding (`/connect/onboarding/:link`).
 * Returns undefined for any other path.
 */
export function handleHostedPage(
  deps: HostedPageDeps,
  method: string,
  path: string,
  form: URLSearchParams,
): PageResponse | undefined {
  let match = /^\/pay\/([^/]+)$/.exec(path);
  if (match) {
    const session = deps.store.find("checkout.session", decodeURIComponent(match[1]));
    if (session === undefined) return page(404, "Checkout not found", "<p>This checkout link is not valid.</p>");
    if (method === "GET") return checkoutPage(deps, session);
    if (method === "POST") return payFromForm(deps, session, form);
  }
  match = /^\/pay\/([^/]+)\/authenticate\/([^/]+)$/.exec(path);
  if (match) {
    const session = deps.store.find("checkout.session", decodeURIComponent(match[1]));
    if (session === undefined) return page(404, "Checkout not found", "<p>This checkout link is not valid.</p>");
    const paymentIntent = decodeURIComponent(match[2]);
    if (method === "GET") return authenticationPage(session, paymentIntent);
    if (method === "POST") {
      const result = form.get("result") === "complete" ? "complete" : "fail";
      return respondToOutcome(deps, session, () => deps.payments.authenticate(paymentIntent, result));
    }
  }
  match = /^\/connect\/onboarding\/([^/]+)$/.exec(path);
  if (match) return onboarding(deps, method, decodeURIComponent(match[1]));
  return undefined;
}

function checkoutPage(deps: HostedPageDeps, session: StripeObject, problem?: string, status = 200): PageResponse {
  if (session.status !== "open") {
    return page(410, "Checkout closed", `<p>This checkout session is ${escape(String(session.status))}.</p>`);
  }
  const items = deps.sessions
    .extrasOf(session.id)
    .lineItems.map(
      (item) =>
        `<li>${escape(String(item.description))} × ${String(item.quantity)}: ${money(item.amount_total as number, String(item.currency))}</li>`,
    )
    .join("");
  const cancel =
    typeof session.cancel_url === "string"
      ? `<p><a href="${escape(session.cancel_url.replaceAll("{CHECKOUT_SESSION_ID}", session.id))}">Cancel and return</a></p>`
      : "";
  const alert = problem === undefined ? "" : `<p role="alert" id="payment-error">${escape(problem)}</p>`;
  return page(
    status,
    "Pay",
    `<p>Local Stripe stand-in: no real card is charged. Test cards: 4242 4242 4242 4242 succeeds,
4000 0000 0000 0002 is declined, 4000 0027 6000 3184 asks for 3-D Secure.</p>
<ul aria-label="Order summary">${items}</ul>
<p>Total: <strong>${money(session.amount_total as number, String(session.currency))}</strong></p>
${alert}
<form method="post" action="/pay/${escape(session.id)}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" value="${escape(typeof session.customer_email === "string" ? session.customer_email : "")}">
  <label for="card_number">Card number</label>
  <input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" required>
  <label for="card_expiry">Expiry (MM / YY)</label>
  <input id="card_expiry" name="card_expiry" autocomplete="cc-exp" placeholder="12 / 34" required>
  <label for="card_cvc">CVC</label>
  <input id="card_cvc" name="card_cvc" inputmode="numeric" autocomplete="cc-csc" required>
  <label for="cardholder_name">Name on card</label>
  <input id="cardholder_name" name="cardholder_name" autocomplete="cc-name">
  <button type="submit">Pay ${money(session.amount_total as number, String(session.currency))}</button>
</form>
${cancel}`,
  );
}

function payFromForm(deps: HostedPageDeps, session: StripeObject, form: URLSearchParams): PageResponse {
  const [month, year] = (form.get("card_expiry") ?? "").split("/").map((part) => Number.parseInt(part.trim(), 10));
  const email = form.get("email") || undefined;
  const name = form.get("cardholder_name") || undefined;
  return respondToOutcome(deps, session, () =>
    deps.payments.pay(session.id, {
      number: form.get("card_number") ?? "",
      ...(email === undefined ? {} : { email }),
      ...(name === undefined ? {} : { name }),
      ...(month === undefined || Number.isNaN(month) ? {} : { expMonth: month }),
      ...(year === undefined || Number.isNaN(year) ? {} : { expYear: year < 100 ? 2000 + year : year }),
    }),
  );
}

function respondToOutcome(deps: HostedPageDeps, session: StripeObject, attempt: () => PaymentOutcome): PageResponse {
  let outcome: PaymentOutcome;
  try {
    outcome = attempt();
  } catch (error) {
    if (error instanceof LocalStripeError) return checkoutPage(deps, session, error.message, error.status);
    throw error;
  }
  switch (outcome.status) {
    case "succeeded":
      return redirect(String(session.success_url).replaceAll("{CHECKOUT_SESSION_ID}", session.id));
    case "requires_action":
      return redirect(`/pay/${session.id}/authenticate/${outcome.paymentIntent}`);
    case "declined":
    case "authentication_failed":
      return checkoutPage(deps, session, outcome.message, 402);
  }
}

function authenticationPage(session: StripeObject, paymentIntent: string): PageResponse {
  return page(
    200,
    "3-D Secure authentication",
    `<p>Your bank asks you to confirm this payment of ${money(session.amount_total as number, String(session.currency))}.</p>
<form method="post" action="/pay/${escape(session.id)}/authenticate/${escape(paymentIntent)}">
  <button type="submit" name="result" value="complete">Complete authentication</button>
  <button type="submit" name="result" value="fail">Fail authentication</button>
</form>`,
  );
}

function onboarding(deps: HostedPageDeps, method: string, linkId: string): PageResponse {
  let link;
  try {
    link = deps.accounts.link(linkId);
  } catch {
    return page(404, "Onboarding link not found", "<p>This onboarding link is not valid.</p>");
  }
  // An expired link sends the user to refresh_url, where the platform makes a new one (as on Stripe).
  if (deps.store.now() > link.expiresAt) return redirect(link.refreshUrl);
  if (method === "POST") {
    deps.accounts.completeOnboarding(link.account);
    return redirect(link.returnUrl);
  }
  return page(
    200,
    "Connect onboarding",
    `<p>Local Stripe stand-in: onboarding for account <code>${escape(link.account)}</code>. Completing it enables charges and payouts.</p>
<form method="post" action="/connect/onboarding/${escape(linkId)}">
  <button type="submit">Complete onboarding</button>
</form>
<p><a href="${escape(link.refreshUrl)}">Start again</a></p>`,
  );
}

function page(status: number, title: string, main: string): PageResponse {
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
    body: `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} · Local Stripe</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}label{display:block;margin-top:.75rem}input{width:100%;padding:.4rem;font-size:1rem}button{margin-top:1rem;padding:.6rem 1rem;font-size:1rem}[role=alert]{color:#a00;font-weight:bold}</style>
</head>
<body><main><h1>${escape(title)}</h1>
${main}
</main></body>
</html>
`,
  };
}

function redirect(location: string): PageResponse {
  return { status: 303, headers: { location, "cache-control": "no-store" }, body: "" };
}

/** Currencies whose amounts Stripe counts in whole units, not hundredths. */
const ZERO_DECIMAL = new Set([
  "bif",
  "clp",
  "djf",
  "gnf",
  "jpy",
  "kmf",
  "krw",
  "mga",
  "pyg",
  "rwf",
  "ugx",
  "vnd",
  "vuv",
  "xaf",
  "xof",
  "xpf",
]);

function money(amount: number, currency: string): string {
  const units = ZERO_DECIMAL.has(currency) ? String(amount) : (amount / 100).toFixed(2);
  return `${units} ${currency.toUpperCase()}`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
