import { expect } from "chai";
import sharp from "sharp";
import type { Browser, Page } from "playwright-core";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { launchBrowser } from "../support/browser.js";
import { linkWallet } from "../support/buyer-wallets.js";
import { insertUser } from "../support/cart-fixtures.js";
import { startChainWebStack } from "../support/chain-web-stack.js";
import type { ChainWebStack } from "../support/chain-web-stack.js";
import { OrderState } from "../support/escrow-actions.js";
import { journeyPages } from "../support/journey-pages.js";
import type { JourneyPageOptions } from "../support/journey-pages.js";
import { hardhatKey } from "../support/hardhat-keys.js";
import { fillCart } from "../support/order-fixtures.js";
import {
  EN_CHECKOUT as EN,
  checkoutWithWallet as checkoutOn,
  connectBurner,
  latestOrderOf,
  mangoesId,
  BN_WALLET_SIGN_IN,
  signInWithWallet,
  waitForOrderStatus,
} from "../support/wallet-journey.js";
import type { CheckoutLabels } from "../support/wallet-journey.js";

// Padma River Farm, the seeded farm of the first local farmer (Hardhat account 2), sells the mangoes.
const FARMER_ACCOUNT = 2;
// A spare Hardhat account (10,000 test ETH, no USDC until the test mints it) plays the buyer.
const BUYER_ACCOUNT = 11;
// Another spare one pays, outside the browser, for an order its buyer had cancelled.
const LATE_PAYER_ACCOUNT = 13;

describe("Web checkout and orders on a real chain", function () {
  this.timeout(180_000);

  let stack: ChainWebStack;
  let browser: Browser;
  const pages = journeyPages(() => browser);
  let current: Page | undefined;

  before(async function () {
    [stack, browser] = await Promise.all([startChainWebStack(), launchBrowser()]);
  });

  after(async function () {
    await browser?.close();
    await stack?.close();
  });

  afterEach(async function () {
    if (current !== undefined) pages.focus(current);
    await pages.afterEach(this.currentTest);
    current = undefined;
  });

  /** A browser context whose burner wallet is `key` when given (else a fresh random one). */
  async function openPage(options: JourneyPageOptions = {}): Promise<Page> {
    current = await pages.open(options);
    return current;
  }

  const orderRow = (buyerAddress: string) => latestOrderOf(stack, buyerAddress);
  const waitForStatus = (buyerAddress: string, status: string) => waitForOrderStatus(stack, buyerAddress, status);
  const checkoutWithWallet = (page: Page, labels: CheckoutLabels = EN, options = {}) =>
    checkoutOn(page, stack, labels, options);

  it("pays with the burner wallet, the farmer ships from a second browser, the buyer confirms and the farmer withdraws", async function () {
    const { escrow, usdc } = stack.deployment;
    // The buyer's burner is a spare Hardhat account given USDC by the test (the faucet button is covered by the
    // Bengali journey): here the faucet's transactions were sometimes not confirmed within a minute on a loaded
    // machine, for a reason not yet found.
    const buyerKey = hardhatKey(BUYER_ACCOUNT);
    const buyerWallet = privateKeyToAccount(buyerKey).address;
    await (await usdc.mint(buyerWallet, 1_000_000_000n)).wait();
    const buyerPage = await openPage({ key: buyerKey });
    await checkoutWithWallet(buyerPage, EN, { faucet: false });

    await buyerPage.getByRole("button", { name: EN.pay }).click();
    await buyerPage.getByRole("heading", { name: EN.paid }).waitFor({ timeout: 60_000 });
    const paid = await orderRow(buyerWallet);
    expect(paid.status).to.equal("paid");
    const escrowOrderId = BigInt(paid.escrow_order_id!);
    const funded = await escrow.getOrder(escrowOrderId);
    expect(funded.state).to.equal(OrderState.Funded);
    expect(funded.buyer).to.equal(buyerWallet);
    expect(funded.seller.toLowerCase()).to.equal(stack.farmerAddresses[0]);
    expect(await buyerPage.locator(".order-list").innerText()).to.contain("Paid");

    // The farmer, in a browser of their own, signs in with the farm's payout wallet and ships from the dashboard.
    const farmerPage = await openPage({ key: hardhatKey(FARMER_ACCOUNT) });
    await signInWithWallet(farmerPage, stack);
    await farmerPage.getByRole("link", { name: "Farm dashboard" }).click();
    await farmerPage.getByRole("button", { name: "Mark shipped" }).click();
    await farmerPage.getByText("Mined.").waitFor();
    expect((await escrow.getOrder(escrowOrderId)).state).to.equal(OrderState.Shipped);
    await waitForStatus(buyerWallet, "shipped");

    // The buyer sees it shipped (refetched on the indexer's live event or by polling) and confirms delivery.
    current = buyerPage;
    await buyerPage.getByRole("link", { name: "Padma River Farm" }).click();
    await buyerPage.getByTestId("order-status").getByText("Shipped").waitFor({ timeout: 30_000 });
    await buyerPage.getByRole("button", { name: "Confirm delivery" }).click();
    await buyerPage.getByText("Mined.").waitFor();
    expect((await escrow.getOrder(escrowOrderId)).state).to.equal(OrderState.Completed);
    await waitForStatus(buyerWallet, "delivered");
    const timeline = await buyerPage.locator(".timeline").innerText();
    expect(timeline).to.match(/Paid[\s\S]*Transaction:\s*0x[0-9a-f]{64}/);

    // The farmer withdraws the sale, less the platform fee, from the escrow's credits.
    current = farmerPage;
    const farmer = stack.farmerAddresses[0];
    const before = await usdc.balanceOf(farmer);
    const credit = await escrow.creditOf(farmer, await usdc.getAddress());
    expect(credit).to.be.greaterThan(0n);
    await farmerPage.reload();
    await farmerPage.getByRole("button", { name: "Withdraw to my wallet" }).click();
    await farmerPage.getByText("Held for you in the escrow: 0 USDC").waitFor();
    expect(await usdc.balanceOf(farmer)).to.equal(before + credit);
    expect(await escrow.creditOf(farmer, await usdc.getAddress())).to.equal(0n);

    // The order's own changes told the buyer (paid, shipped) over the live event stream: the bell counts them.
    current = buyerPage;
    const buyerId = (
      await stack.api.database.pool.query<{ user_id: string }>("SELECT user_id FROM wallets WHERE address = $1", [
        buyerWallet.toLowerCase(),
      ])
    ).rows[0].user_id;
    const { rows: told } = await stack.api.database.pool.query<{ kind: string }>(
      "SELECT kind FROM notifications WHERE user_id = $1 AND order_id = $2 ORDER BY id",
      [buyerId, paid.id],
    );
    expect(told.map((row) => row.kind)).to.include.members(["order_paid", "shipped"]);
    await buyerPage.getByRole("link", { name: /^Notifications: [1-9]\d* unread$/ }).click();
    await buyerPage.getByText("Order shipped").first().waitFor();
    await buyerPage.getByRole("button", { name: "Mark all read" }).click();
    await buyerPage.getByRole("link", { name: "Notifications: 0 unread" }).waitFor();
    const { rows: unread } = await stack.api.database.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL",
      [buyerId],
    );
    expect(unread).to.deep.equal([{ n: 0 }]);
  });

  it("refuses to pay from a wallet not linked to the signed-in account, and pays once the buyer links it", async function () {
    const page = await openPage();
    const firstKey = await checkoutWithWallet(page, EN, { faucet: false });
    // Signed in with the first wallet, which may pay.
    await page.getByRole("button", { name: EN.pay }).waitFor();
    const otherKey = generatePrivateKey();
    const other = privateKeyToAccount(otherKey).address;
    await (await stack.deployment.usdc.mint(other, 1_000_000_000n)).wait();
    await stack.node.connection.networkHelpers.setBalance(other, 10n ** 19n);
    // The same signed-in buyer, with another wallet connected (the burner reconnects with the new key on reload).
    await page.evaluate((key) => localStorage.setItem("agridao.burnerKey", key), otherKey);
    await page.reload();
    await page.getByLabel(EN.wallet).check();
    await page.getByText("This wallet is not linked to your account").waitFor();
    expect(await page.getByRole("button", { name: EN.pay }).count()).to.equal(0);

    await page.getByRole("button", { name: "Sign the message and link this wallet" }).click();
    await page.getByRole("button", { name: EN.pay }).click();
    await page.getByRole("heading", { name: EN.paid }).waitFor({ timeout: 60_000 });
    const paid = await orderRow(privateKeyToAccount(firstKey as `0x${string}`).address);
    expect(paid.status).to.equal("paid");
    expect((await stack.deployment.escrow.getOrder(BigInt(paid.escrow_order_id!))).buyer).to.equal(other);
    const { rows: reported } = await stack.api.database.pool.query<{ outcome: string | null }>(
      `SELECT t.outcome FROM payment_transactions t JOIN orders o ON o.checkout_id = t.checkout_id WHERE o.id = $1`,
      [paid.id],
    );
    expect(reported, "the wallet reported the payment it sent").to.have.length(1);
  });

  it("shows the farm a payment that came after its buyer cancelled as paid but cancelled, and refunds it in one click", async function () {
    const { escrow, usdc } = stack.deployment;
    const pool = stack.api.database.pool;
    const buyerId = await insertUser(pool);
    const payer = (await stack.node.connection.ethers.getSigners())[LATE_PAYER_ACCOUNT];
    await linkWallet(pool, buyerId, payer.address);
    const { token } = await stack.api.accessTokens.issue({ id: buyerId, roles: ["buyer"] });
    await fillCart(pool, buyerId, [{ productId: await mangoesId(stack), quantity: 1 }]);
    const asBuyer = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const checkout = (await (
      await stack.api.request("/api/checkout", {
        method: "POST",
        headers: { ...asBuyer, "Idempotency-Key": "paid-after-cancel" },
        body: JSON.stringify({ paymentMethod: "escrow" }),
      })
    ).json()) as {
      orders: { id: string }[];
      escrow: { approval: { spender: string; amount: string }; call: { to: string; data: string } };
    };
    const cancelled = await stack.api.request(`/api/orders/${checkout.orders[0].id}/cancel`, {
      method: "POST",
      headers: asBuyer,
    });
    expect(cancelled.status).to.equal(200);
    const amount = BigInt(checkout.escrow.approval.amount);
    await (await usdc.mint(payer.address, amount)).wait();
    await (await usdc.connect(payer).approve(checkout.escrow.approval.spender, amount)).wait();
    await (await payer.sendTransaction({ to: checkout.escrow.call.to, data: checkout.escrow.call.data })).wait();
    let late = await orderRow(payer.address);
    while (late.escrow_order_id === null) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      late = await orderRow(payer.address);
    }
    expect(late.status).to.equal("cancelled");

    const farmerPage = await openPage({ key: hardhatKey(FARMER_ACCOUNT) });
    await signInWithWallet(farmerPage, stack);
    await farmerPage.getByRole("link", { name: "Farm dashboard" }).click();
    const row = farmerPage.locator(".escrow-order", { has: farmerPage.getByTestId("paid-after-release") });
    await row.getByText("Paid but cancelled: refund or ship").waitFor();
    // Or ship it: the escrow actions come once the panel has read the escrow order (the notice shows before).
    await row.getByRole("button", { name: "Mark shipped" }).waitFor();
    await row.getByRole("button", { name: "Refund the buyer" }).click();
    await row.getByText("Mined.").waitFor();
    expect((await escrow.getOrder(BigInt(late.escrow_order_id))).state).to.equal(OrderState.Refunded);
    await waitForStatus(payer.address, "refunded");
  });

  it("lets the farmer add a product with a previewed photo, correct its stock and put it on sale", async function () {
    const page = await openPage({ key: hardhatKey(FARMER_ACCOUNT) });
    await signInWithWallet(page, stack);
    await page.getByRole("link", { name: "Farm dashboard" }).click();
    await page.getByLabel("Farm name").waitFor();
    expect(await page.getByLabel("Farm name").inputValue()).to.equal("Padma River Farm");

    const form = page.locator("form", { has: page.getByRole("heading", { name: "New product" }) });
    await form.getByLabel("Name").fill("Test okra batch");
    await form.getByLabel("Price (USD)").fill("2.25");
    await form.getByLabel("Stock").fill("5");
    await form.getByRole("button", { name: "Add the product (as a draft)" }).click();
    const row = page.locator(".farm-product", { hasText: "Test okra batch" });
    await row.getByText("Draft", { exact: true }).waitFor();
    await row.getByTestId("stock-levels").getByText("On hand: 5 · available to buyers: 5").waitFor();

    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#2e7d32" } })
      .png()
      .toBuffer();
    await row.getByLabel("Add a photo").setInputFiles({ name: "chillies.png", mimeType: "image/png", buffer: png });
    await row.getByRole("img", { name: "The photo to upload" }).waitFor();
    await row.getByRole("button", { name: "Upload the photo" }).click();
    await row.getByRole("img", { name: "The photo to upload" }).waitFor({ state: "detached" });
    await row.getByLabel("Counted on hand").fill("12");
    await row.getByRole("button", { name: "Save" }).nth(1).click();
    await row.getByTestId("stock-levels").getByText("On hand: 12 · available to buyers: 12").waitFor();
    await row.getByRole("button", { name: "Put on sale" }).click();
    await row.getByText("On sale", { exact: true }).waitFor();

    const { rows } = await stack.api.database.pool.query<{
      status: string;
      stock: number;
      price_minor: number;
      photos: number;
    }>(
      `SELECT p.status, p.stock, p.price_minor, (SELECT count(*)::int FROM product_photos f WHERE f.product_id = p.id) AS photos
         FROM products p WHERE p.name = 'Test okra batch'`,
    );
    expect(rows).to.deep.equal([{ status: "active", stock: 12, price_minor: 225, photos: 1 }]);
  });

  it("checks out in Bengali on a 360 px phone", async function () {
    const page = await openPage({ locale: "bn-BD", width: 360 });
    await checkoutWithWallet(page, {
      addToCart: "ঝুড়িতে রাখুন",
      added: "রাখা হয়েছে। আপনার ঝুড়িতে",
      cart: "ঝুড়ি",
      goToCheckout: "চেকআউটে যান",
      wallet: "ওয়ালেট দিয়ে (এসক্রোতে)",
      ...BN_WALLET_SIGN_IN,
      faucet: "টেস্ট ETH ও USDC নিন",
      faucetDone: "আপনার ওয়ালেটে ১০ টেস্ট ETH ও ১,০০০ টেস্ট USDC পাঠানো হয়েছে।",
      pay: "ওয়ালেট দিয়ে টাকা দিন",
      paid: "টাকা পাওয়া গেছে",
    });
    const pay = page.getByRole("button", { name: "ওয়ালেট দিয়ে টাকা দিন" });
    const box = (await pay.boundingBox())!;
    expect(box.height).to.be.at.least(44);
    expect(box.x + box.width).to.be.at.most(360);
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).to.be.at.most(360);
    await pay.click();
    await page.getByRole("heading", { name: "টাকা পাওয়া গেছে" }).waitFor({ timeout: 60_000 });
  });

  it("tells a buyer without stablecoin that the wallet cannot pay, and sends nothing", async function () {
    const page = await openPage();
    const key = await checkoutWithWallet(page, EN, { faucet: false });
    await page.getByRole("button", { name: EN.pay }).click();
    await page.getByText("Your wallet does not hold enough to pay (stablecoin for the order, ETH for gas).").waitFor();
    const address = privateKeyToAccount(key as `0x${string}`).address;
    expect(
      await stack.node.connection.provider.request({ method: "eth_getTransactionCount", params: [address, "latest"] }),
    ).to.equal("0x0");
    expect((await orderRow(address)).status).to.equal("awaiting_payment");
  });

  // This stack's API has no ETH price feed, as a shop without one: ETH checkout answers 422.
  it("offers only the stablecoin when the shop has no ETH price feed, saying why, and reserves nothing", async function () {
    const page = await openPage();
    const key = await checkoutWithWallet(page, EN, { faucet: false });
    const address = privateKeyToAccount(key as `0x${string}`).address;
    const eth = page.getByLabel("ETH (at the current price)");
    await eth.check();
    await page.getByRole("button", { name: EN.pay }).click();
    await page
      .getByText("This shop does not take ETH: it has no ETH price feed to fix the amount. Pay in the stablecoin.")
      .waitFor();
    expect(await eth.isDisabled()).to.equal(true);
    expect(await page.getByLabel("Stablecoin (USDC, at par)").isChecked()).to.equal(true);
    expect(await page.getByText("The checkout failed.").count()).to.equal(0);
    expect(await orderRow(address)).to.equal(undefined);
  });

  it("says the deployment is stale when the escrow address holds no code, instead of sending transactions", async function () {
    const escrowAddress = await stack.deployment.escrow.getAddress();
    const code = (await stack.node.connection.provider.request({
      method: "eth_getCode",
      params: [escrowAddress, "latest"],
    })) as string;
    await stack.node.connection.provider.request({ method: "hardhat_setCode", params: [escrowAddress, "0x"] });
    try {
      const page = await openPage();
      await page.goto(`${stack.url}/checkout`);
      await page.getByLabel(EN.wallet).check();
      await connectBurner(page);
      await page.getByText("No escrow contract is deployed at the configured address").waitFor();
      expect(await page.getByRole("button", { name: EN.pay }).count()).to.equal(0);
    } finally {
      await stack.node.connection.provider.request({ method: "hardhat_setCode", params: [escrowAddress, code] });
    }
  });
});
