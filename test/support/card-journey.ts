import { randomUUID } from "node:crypto";

import type { Page } from "playwright-core";

import { insertUser } from "./cart-fixtures.js";
import { fillCart } from "./order-fixtures.js";
import type { WebStack } from "./web-stack.js";

/** The local Stripe's test card that succeeds. */
export const CARD_OK = "4242 4242 4242 4242";
/** The local Stripe's test card that is declined. */
export const CARD_DECLINED = "4000 0000 0000 0002";
/** Himsagar mangoes cost $6.50 a kilo at Padma River Farm, the seeded farm of the first local farmer. */
export const MANGOES = "Himsagar mangoes";
export const MANGOES_MINOR = 650;

/** The passphrase every journey's email account signs up with. */
export const JOURNEY_PASSWORD = "a long and unusual passphrase";

/** Creates an email account from the sign-in page; resolves with its email, on the account page. */
export async function signUpWithEmail(page: Page, stack: Pick<WebStack, "url">, label: string): Promise<string> {
  const email = `${label}-${Date.now()}@example.com`;
  await page.goto(`${stack.url}/sign-in`);
  await page.getByRole("button", { name: "New here? Create an account" }).click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(JOURNEY_PASSWORD);
  await page.getByLabel("I accept the terms of service").check();
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/account");
  return email;
}

/** Signs an email account in from the sign-in page; resolves on the account page. */
export async function signInWithEmail(page: Page, stack: Pick<WebStack, "url">, email: string): Promise<void> {
  await page.goto(`${stack.url}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(JOURNEY_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL("**/account");
}

/** Puts a kilo of mangoes in the cart and goes to the local Stripe's hosted page through the card checkout. */
export async function checkOutByCard(page: Page, stack: WebStack): Promise<string> {
  const { rows } = await stack.api.database.pool.query<{ id: string }>("SELECT id FROM products WHERE name = $1", [
    MANGOES,
  ]);
  await page.goto(`${stack.url}/products/${rows[0].id}`);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.getByText("Added. Your cart has 1 of these.").waitFor();
  await page.getByRole("navigation").getByRole("link", { name: /^Cart/ }).click();
  await page.getByRole("link", { name: "Go to checkout" }).click();
  await page.getByLabel("Pay by card").check();
  await page.getByRole("button", { name: "Continue to card payment" }).click();
  await page.waitForURL(`${stack.stripe!.local.url}/pay/**`);
  return page.url();
}

/** Fills the hosted page's card form and submits it. */
export async function payWithCard(page: Page, number: string): Promise<void> {
  await page.getByLabel("Card number").fill(number);
  await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByLabel("Name on card").fill("Rahima Begum");
  await page.getByRole("button", { name: /^Pay / }).click();
}

/**
 * A new buyer's card order of `quantity` kilos of mangoes, checked out through the API and paid on the local Stripe
 * without a browser, once its webhooks are applied: for journeys whose subject comes after payment.
 */
export async function paidCardOrder(stack: WebStack, quantity: number): Promise<{ orderId: string; buyerId: string }> {
  const pool = stack.api.database.pool;
  const buyerId = await insertUser(pool, ["buyer"]);
  const { token } = await stack.api.accessTokens.issue({ id: buyerId, roles: ["buyer"] });
  const { rows: products } = await pool.query<{ id: string }>("SELECT id FROM products WHERE name = $1", [MANGOES]);
  await fillCart(pool, buyerId, [{ productId: products[0].id, quantity }]);
  const response = await stack.api.request("/api/checkout", {
    method: "POST",
    headers: {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      "Idempotency-Key": randomUUID(),
    },
    body: JSON.stringify({ paymentMethod: "card" }),
  });
  if (response.status !== 201) throw new Error(`card checkout failed: ${response.status} ${await response.text()}`);
  const { checkoutId, orders } = (await response.json()) as { checkoutId: string; orders: { id: string }[] };
  const { rows } = await pool.query<{ stripe_session_id: string }>(
    "SELECT stripe_session_id FROM checkouts WHERE id = $1",
    [checkoutId],
  );
  const outcome = stack.stripe!.local.paySession(rows[0].stripe_session_id, { number: CARD_OK });
  if (outcome.status !== "succeeded") throw new Error(`the local Stripe did not take the card: ${outcome.status}`);
  await stack.stripe!.local.waitForWebhooksIdle(20_000);
  return { orderId: orders[0].id, buyerId };
}
