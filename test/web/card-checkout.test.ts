import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { privateKeyToAccount } from "viem/accounts";

import { LOCAL_ROLES } from "../../deploy/local.js";
import { localFarmerAddresses } from "../../scripts/seed-catalog.js";
import { launchBrowser } from "../support/browser.js";
import {
  CARD_DECLINED,
  CARD_OK,
  MANGOES,
  MANGOES_MINOR,
  checkOutByCard,
  paidCardOrder,
  payWithCard,
  signUpWithEmail,
} from "../support/card-journey.js";
import { hardhatKey } from "../support/hardhat-keys.js";
import { journeyPages } from "../support/journey-pages.js";
import { BN_WALLET_SIGN_IN, signInWithWallet } from "../support/wallet-journey.js";
import type { WalletSignInLabels } from "../support/wallet-journey.js";
import { WEB_STACK_FEE_BPS, startWebStack } from "../support/web-stack.js";
import type { WebStack } from "../support/web-stack.js";

interface OrderRow {
  id: string;
  checkout_id: string;
  status: string;
  paid: boolean;
  total_minor: number;
  fee_minor: number;
}

describe("Web card checkout through the local Stripe, delivery, and linking a wallet", function () {
  this.timeout(180_000);

  let stack: WebStack;
  let browser: Browser;
  const pages = journeyPages(() => browser);

  before(async function () {
    [stack, browser] = await Promise.all([startWebStack({ cardPayments: true }), launchBrowser()]);
  });

  after(async function () {
    await browser?.close();
    await stack?.close();
  });

  afterEach(async function () {
    await pages.afterEach(this.currentTest);
  });

  const stripe = () => stack.stripe!;
  const db = () => stack.api.database.pool;

  async function ordersOf(email: string): Promise<OrderRow[]> {
    const { rows } = await db().query<OrderRow>(
      `SELECT o.id, o.checkout_id, o.status, o.paid_at IS NOT NULL AS paid, o.total_minor::int, o.fee_minor::int
         FROM orders o JOIN users u ON u.id = o.buyer_id WHERE u.email = $1 ORDER BY o.created_at`,
      [email],
    );
    return rows;
  }

  async function checkoutPaymentIntent(checkoutId: string) {
    const { rows } = await db().query<{ stripe_session_id: string; stripe_payment_intent_id: string | null }>(
      "SELECT stripe_session_id, stripe_payment_intent_id FROM checkouts WHERE id = $1",
      [checkoutId],
    );
    return rows[0];
  }

  async function eventKinds(orderId: string): Promise<string[]> {
    const { rows } = await db().query<{ kind: string }>(
      "SELECT kind FROM order_events WHERE order_id = $1 ORDER BY occurred_at, id",
      [orderId],
    );
    return rows.map((row) => row.kind);
  }

  /** Signs the seeded farmer of Padma River Farm in with its burner wallet and opens the farm dashboard. */
  async function farmerDashboard(
    options: { locale?: string; width?: number; signIn?: WalletSignInLabels } = {},
  ): Promise<Page> {
    const page = await pages.open({ ...options, key: hardhatKey(LOCAL_ROLES.farmers[0]) });
    await signInWithWallet(page, stack, options.signIn);
    await page.goto(`${stack.url}/farmer`);
    return page;
  }

  it("pays by card on the hosted page, the farmer ships from a second browser and the buyer confirms on a phone", async function () {
    const buyer = await pages.open({ width: 360 });
    const email = await signUpWithEmail(buyer, stack, "card-buyer");
    await checkOutByCard(buyer, stack);
    // The hosted page charges one line per farm order.
    expect(await buyer.getByRole("list", { name: "Order summary" }).innerText()).to.equal(
      "Order from Padma River Farm × 1: 6.50 USD",
    );
    await payWithCard(buyer, CARD_OK);

    // Back on the web app: the confirmation page waits for the webhook, then shows the order paid.
    await buyer.waitForURL(`${stack.url}/checkout/*/done?session_id=*`);
    await buyer.getByRole("heading", { name: "Payment received" }).waitFor({ timeout: 30_000 });
    const row = buyer.locator(".order-row", { hasText: "Padma River Farm" });
    expect(await row.locator(".order-status").innerText()).to.equal("Paid");
    expect(await row.innerText()).to.contain("$6.50");

    const [order] = await ordersOf(email);
    const fee = Math.floor((MANGOES_MINOR * WEB_STACK_FEE_BPS) / 10_000);
    expect(order).to.include({ status: "paid", paid: true, total_minor: MANGOES_MINOR, fee_minor: fee });
    const checkout = await checkoutPaymentIntent(order.checkout_id);
    expect(checkout.stripe_payment_intent_id).to.match(/^pi_/);
    expect(buyer.url()).to.contain(`session_id=${checkout.stripe_session_id}`);
    const session = await stripe().stripe.checkout.sessions.retrieve(checkout.stripe_session_id);
    expect(session).to.include({ payment_status: "paid", status: "complete", amount_total: MANGOES_MINOR });
    const paymentIntent = await stripe().stripe.paymentIntents.retrieve(checkout.stripe_payment_intent_id!);
    expect(paymentIntent.status).to.equal("succeeded");

    // The buyer cannot ship; the confirm button waits until the farm has shipped.
    await row.getByRole("link", { name: "Padma River Farm" }).click();
    await buyer.getByTestId("order-status").getByText("Paid").waitFor();
    expect(await buyer.getByRole("button", { name: "Mark shipped" }).count()).to.equal(0);
    expect(await buyer.getByRole("button", { name: "Confirm delivery" }).count()).to.equal(0);

    // The farmer, in a browser of their own, sees the kilo sold still on hand but no longer available, and marks it
    // shipped from the dashboard's incoming orders.
    const farmer = await farmerDashboard();
    const { rows: mangoes } = await stack.api.database.pool.query<{ stock: number }>(
      "SELECT stock FROM products WHERE name = $1",
      [MANGOES],
    );
    const units = new Intl.NumberFormat("en-US");
    const mangoStock = farmer.locator(".farm-product", { hasText: MANGOES }).getByTestId("stock-levels");
    await mangoStock
      .getByText(
        `On hand: ${units.format(mangoes[0].stock + 1)} · available to buyers: ${units.format(mangoes[0].stock)}`,
      )
      .waitFor();
    await mangoStock.getByText("0 held by unpaid orders, 1 sold and waiting to ship").waitFor();
    const incoming = farmer.locator(".order-row", { has: farmer.getByRole("button", { name: "Mark shipped" }) });
    await incoming.first().waitFor();
    expect(await incoming.count()).to.equal(1);
    expect(await incoming.innerText()).to.contain(`1 × ${MANGOES}`);
    await incoming.getByRole("button", { name: "Mark shipped" }).click();
    await farmer.getByRole("button", { name: "Mark shipped" }).waitFor({ state: "detached" });
    expect((await ordersOf(email))[0].status).to.equal("shipped");

    // The buyer sees it shipped and confirms delivery with a button a thumb can hit.
    pages.focus(buyer);
    await buyer.reload();
    await buyer.getByTestId("order-status").getByText("Shipped").waitFor();
    const confirm = buyer.getByRole("button", { name: "Confirm delivery" });
    const box = (await confirm.boundingBox())!;
    expect(box.height).to.be.at.least(44);
    expect(box.x + box.width).to.be.at.most(360);
    expect(await buyer.evaluate<number>("document.documentElement.scrollWidth")).to.be.at.most(360);
    await confirm.click();
    await buyer.getByTestId("order-status").getByText("Delivered").waitFor();
    await confirm.waitFor({ state: "detached" });
    expect(await buyer.locator(".timeline").innerText()).to.match(/Paid[\s\S]*Shipped[\s\S]*Delivered/);

    expect((await ordersOf(email))[0].status).to.equal("delivered");
    expect(await eventKinds(order.id)).to.include.members(["created", "paid", "shipped", "delivered"]);
    // The farm has no connected Stripe account yet: its share waits as a payable.
    const { rows: payables } = await db().query<{ amount_minor: number; status: string }>(
      "SELECT amount_minor::int, status FROM farm_payables WHERE order_id = $1",
      [order.id],
    );
    expect(payables).to.deep.equal([{ amount_minor: MANGOES_MINOR - fee, status: "accrued" }]);
  });

  it("keeps the order unpaid when the card is declined, tells the buyer, and takes a second card from the order page", async function () {
    const buyer = await pages.open();
    const email = await signUpWithEmail(buyer, stack, "declined-buyer");
    const payUrl = await checkOutByCard(buyer, stack);
    await payWithCard(buyer, CARD_DECLINED);
    expect(await buyer.getByRole("alert").innerText()).to.equal("Your card was declined.");
    await stripe().local.waitForWebhooksIdle(20_000);

    const [order] = await ordersOf(email);
    expect(order).to.include({ status: "awaiting_payment", paid: false });
    const checkout = await checkoutPaymentIntent(order.checkout_id);
    expect(checkout.stripe_payment_intent_id).to.equal(null);
    expect(await eventKinds(order.id))
      .to.include("payment_failed")
      .and.not.include("paid");
    const session = await stripe().stripe.checkout.sessions.retrieve(checkout.stripe_session_id, {
      expand: ["payment_intent"],
    });
    expect(session).to.include({ payment_status: "unpaid", status: "open" });
    const attempt = session.payment_intent as { status: string; last_payment_error: { code: string } | null };
    expect(attempt.status).to.equal("requires_payment_method");
    expect(attempt.last_payment_error?.code).to.equal("card_declined");

    // In the web app the order waits for payment, and its history says the card payment failed.
    await buyer.goto(`${stack.url}/orders/${order.id}`);
    await buyer.getByTestId("order-status").getByText("Awaiting payment").waitFor();
    expect(await buyer.locator(".timeline").innerText()).to.contain("Card payment failed");

    // From the order page, the buyer goes back to the same hosted page, where another card pays the same order.
    await buyer.getByRole("button", { name: "Pay by card" }).click();
    await buyer.waitForURL((url) => url.href === payUrl);
    await payWithCard(buyer, CARD_OK);
    await buyer.getByRole("heading", { name: "Payment received" }).waitFor({ timeout: 30_000 });
    const [paid] = await ordersOf(email);
    expect(paid).to.include({ id: order.id, status: "paid", paid: true });
    expect((await checkoutPaymentIntent(order.checkout_id)).stripe_payment_intent_id).to.match(/^pi_/);
  });

  it("links a burner wallet to an email account on the account page, then unlinks it", async function () {
    const page = await pages.open({ width: 360 });
    const email = await signUpWithEmail(page, stack, "linker");
    const { rows: users } = await db().query<{ id: string }>("SELECT id FROM users WHERE email = $1", [email]);

    await page.getByRole("button", { name: "Link a wallet" }).click();
    await page.getByRole("button", { name: "Connect Wallet" }).click();
    await page.getByText("Burner wallet (local chain)").click();
    const link = page.getByRole("button", { name: "Sign the message and link this wallet" });
    expect((await link.boundingBox())!.height).to.be.at.least(44);
    await link.click();
    await page.getByText("The wallet is linked: you can sign in with it too.").waitFor();

    const key = (await page.evaluate(() => localStorage.getItem("agridao.burnerKey"))) as `0x${string}`;
    const address = privateKeyToAccount(key).address.toLowerCase();
    expect(await page.locator(".address").allInnerTexts()).to.deep.equal([address]);
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).to.be.at.most(360);
    const { rows: linked } = await db().query<{ user_id: string; chain_id: number }>(
      "SELECT user_id, chain_id FROM wallets WHERE address = $1",
      [address],
    );
    expect(linked).to.deep.equal([{ user_id: users[0].id, chain_id: 31337 }]);

    // The account keeps its password, so the wallet may go again.
    await page.getByRole("button", { name: `Unlink wallet ${address}` }).click();
    await page.locator(".address").waitFor({ state: "detached" });
    const { rows: after } = await db().query("SELECT 1 FROM wallets WHERE user_id = $1", [users[0].id]);
    expect(after).to.deep.equal([]);
  });

  it("lets a wallet account add an email and password, and only then unlink its wallet", async function () {
    const page = await pages.open();
    await page.goto(`${stack.url}/sign-in/wallet`);
    await page.getByRole("button", { name: "Connect Wallet" }).click();
    await page.getByText("Burner wallet (local chain)").click();
    await page.getByRole("button", { name: "Sign the message and sign in" }).click();
    await page.waitForURL("**/account");
    const address = await page.locator(".address").innerText();

    // The wallet is the only way in: no unlink button. A password the API's rules refuse (the email itself) is
    // explained.
    await page.getByText("Your wallet is your only way to sign in.", { exact: false }).waitFor();
    expect(await page.getByRole("button", { name: `Unlink wallet ${address}` }).count()).to.equal(0);
    const email = `wallet-owner-${Date.now()}@example.com`;
    await page.getByLabel("Email for signing in").fill(email);
    await page.getByLabel("New password").fill(email);
    await page.getByRole("button", { name: "Add email and password" }).click();
    await page.getByText("Please check the form:").waitFor();

    await page.getByLabel("New password").fill("a long and unusual passphrase");
    await page.getByRole("button", { name: "Add email and password" }).click();
    await page.getByRole("button", { name: `Unlink wallet ${address}` }).waitFor();
    expect(await page.getByRole("region", { name: "Ways to sign in" }).innerText()).to.contain(email);
    const { rows } = await db().query<{ email: string; has_password: boolean; wallets: number }>(
      `SELECT u.email, u.password_hash IS NOT NULL AS has_password,
              (SELECT count(*)::int FROM wallets w WHERE w.user_id = u.id) AS wallets
         FROM users u JOIN wallets w ON w.user_id = u.id WHERE w.address = $1`,
      [address],
    );
    expect(rows).to.deep.equal([{ email, has_password: true, wallets: 1 }]);

    // The new password signs in on its own.
    const login = await stack.api.request("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password: "a long and unusual passphrase" }),
    });
    expect(login.status).to.equal(200);
  });

  it("tells the farmer, in Bengali on a phone, that an order shipped elsewhere meanwhile can no longer be shipped", async function () {
    // A buyer's card order of three kilos, paid on the local Stripe without a browser.
    const { orderId } = await paidCardOrder(stack, 3);

    const farmer = await farmerDashboard({ locale: "bn-BD", width: 360, signIn: BN_WALLET_SIGN_IN });
    const row = farmer.locator(".order-row", { hasText: `৩ × ${MANGOES}` });
    const ship = row.getByRole("button", { name: "পাঠানো হয়েছে চিহ্নিত করুন" });
    await ship.waitFor();
    expect((await ship.boundingBox())!.height).to.be.at.least(44);
    expect(await farmer.evaluate<number>("document.documentElement.scrollWidth")).to.be.at.most(360);

    // The same farmer ships it from another device before pressing the button here.
    const { rows: owners } = await db().query<{ user_id: string }>("SELECT user_id FROM wallets WHERE address = $1", [
      localFarmerAddresses()[0],
    ]);
    const farmerToken = await stack.api.accessTokens.issue({ id: owners[0].user_id, roles: ["buyer", "farmer"] });
    const elsewhere = await stack.api.request(`/api/orders/${orderId}/ship`, {
      method: "POST",
      headers: { Authorization: `Bearer ${farmerToken.token}` },
    });
    expect(elsewhere.status).to.equal(200);

    await ship.click();
    await farmer
      .getByRole("alert")
      .getByText("এর মধ্যে অর্ডারটি বদলে গেছে; পাতায় এখন এর সর্বশেষ অবস্থা দেখানো হচ্ছে।")
      .waitFor();
    await row.locator(".order-status", { hasText: /^পাঠানো হয়েছে$/ }).waitFor();
    const { rows: shipped } = await db().query<{ n: number }>(
      "SELECT count(*)::int AS n FROM order_events WHERE order_id = $1 AND kind = 'shipped'",
      [orderId],
    );
    expect(shipped).to.deep.equal([{ n: 1 }]);
  });
});
