import type { Page } from "playwright-core";

import type { ChainWebStack } from "./chain-web-stack.js";

/** Connects the burner wallet from the RainbowKit modal, through its labels in the page's language. */
export async function connectBurner(
  page: Page,
  labels: Pick<CheckoutLabels, "connectWallet" | "burner"> = EN_CHECKOUT,
): Promise<void> {
  await page.getByRole("button", { name: labels.connectWallet }).first().click();
  await page.getByText(labels.burner).click();
}

/** The labels of connecting a wallet and signing in with it, in the page's language. */
export type WalletSignInLabels = Pick<CheckoutLabels, "connectWallet" | "burner" | "signIn">;

export const BN_WALLET_SIGN_IN: WalletSignInLabels = {
  connectWallet: "ওয়ালেট যুক্ত করুন",
  burner: "বার্নার ওয়ালেট (লোকাল চেইন)",
  signIn: "বার্তায় সই করে সাইন ইন করুন",
};

/** Signs in with the page's burner wallet (Sign-In with Ethereum), ending on the account page. */
export async function signInWithWallet(
  page: Page,
  stack: Pick<ChainWebStack, "url">,
  labels: WalletSignInLabels = EN_CHECKOUT,
): Promise<void> {
  await page.goto(`${stack.url}/sign-in/wallet`);
  await connectBurner(page, labels);
  await page.getByRole("button", { name: labels.signIn }).click();
  await page.waitForURL("**/account");
}

/** The labels a checkout journey clicks, in the page's language. */
export interface CheckoutLabels {
  addToCart: string;
  /** The start of the note that the product is in the cart: the cart is read only after it. */
  added: string;
  cart: string;
  goToCheckout: string;
  wallet: string;
  /** RainbowKit's connect button and the burner wallet's entry in its wallet list. */
  connectWallet: string;
  burner: string;
  signIn: string;
  faucet: string;
  faucetDone: string;
  pay: string;
  paid: string;
}

export const EN_CHECKOUT: CheckoutLabels = {
  addToCart: "Add to cart",
  added: "Added. Your cart has",
  cart: "Cart",
  goToCheckout: "Go to checkout",
  wallet: "Pay with a wallet (into escrow)",
  connectWallet: "Connect Wallet",
  burner: "Burner wallet (local chain)",
  signIn: "Sign the message and sign in",
  faucet: "Get test ETH and USDC",
  faucetDone: "Sent 10 test ETH and 1,000 test USDC to your wallet.",
  pay: "Pay with wallet",
  paid: "Payment received",
};

/** The seeded mangoes, sold by Padma River Farm (the farm of the first local farmer, Hardhat account 2). */
export async function mangoesId(stack: ChainWebStack): Promise<string> {
  const response = await stack.api.request("/api/products?q=mangoes");
  return ((await response.json()) as { products: { id: string }[] }).products[0].id;
}

/**
 * Adds mangoes to the cart, opens checkout, chooses the wallet, connects the burner and signs in (with `faucet`, also
 * takes test ETH and USDC from the local faucet): up to the Pay button. Resolves with the burner's key.
 */
export async function checkoutWithWallet(
  page: Page,
  stack: ChainWebStack,
  labels: CheckoutLabels = EN_CHECKOUT,
  { faucet = true } = {},
): Promise<string> {
  await page.goto(`${stack.url}/products/${await mangoesId(stack)}`);
  await page.getByRole("button", { name: labels.addToCart }).click();
  // The cart page reads the cart once: going there before the add has answered can find it empty.
  await page.getByText(labels.added).waitFor();
  await page
    .getByRole("navigation")
    .getByRole("link", { name: new RegExp(`^${labels.cart}`) })
    .click();
  await page.getByRole("link", { name: labels.goToCheckout }).click();
  await page.waitForURL("**/checkout");
  await page.getByLabel(labels.wallet).check();
  await connectBurner(page, labels);
  await page.getByRole("button", { name: labels.signIn }).click();
  if (faucet) {
    await page.getByRole("button", { name: labels.faucet }).click();
    await page.getByText(labels.faucetDone).waitFor({ timeout: 60_000 });
  }
  return (await page.evaluate(() => localStorage.getItem("agridao.burnerKey")))!;
}

/** The newest order of the buyer behind a wallet address, as the database has it. */
export async function latestOrderOf(stack: ChainWebStack, buyerAddress: string) {
  const { rows } = await stack.api.database.pool.query<{
    id: string;
    status: string;
    escrow_order_id: string | null;
    total_minor: number;
  }>(
    `SELECT o.id, o.status, o.escrow_order_id::text, o.total_minor FROM orders o
       JOIN wallets w ON w.user_id = o.buyer_id WHERE w.address = $1 ORDER BY o.created_at DESC LIMIT 1`,
    [buyerAddress.toLowerCase()],
  );
  return rows[0];
}

/** Waits until the buyer's newest order has `status` (the indexer and the API's linker catch up in the background). */
export async function waitForOrderStatus(stack: ChainWebStack, buyerAddress: string, status: string) {
  for (;;) {
    const row = await latestOrderOf(stack, buyerAddress);
    if (row?.status === status) return row;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
