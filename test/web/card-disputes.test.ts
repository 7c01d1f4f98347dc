import { expect } from "chai";
import type { Browser, Locator, Page } from "playwright-core";
import sharp from "sharp";

import { LOCAL_ROLES } from "../../deploy/local.js";
import { seedArbiter } from "../../scripts/seed-arbiter.js";
import { launchBrowser } from "../support/browser.js";
import {
  CARD_OK,
  MANGOES_MINOR,
  checkOutByCard,
  paidCardOrder,
  payWithCard,
  signInWithEmail,
  signUpWithEmail,
} from "../support/card-journey.js";
import { hardhatKey } from "../support/hardhat-keys.js";
import { journeyPages } from "../support/journey-pages.js";
import { pageSection } from "../support/page-section.js";
import { BN_WALLET_SIGN_IN, signInWithWallet } from "../support/wallet-journey.js";
import { WEB_STACK_FEE_BPS, startWebStack } from "../support/web-stack.js";
import type { WebStack } from "../support/web-stack.js";

const REASON = "Two of the mangoes were rotten inside";
const REPLY = "They were sound when they left; we can replace two.";
const REFUND_REASON = "The bank returned the ruling's refund: the card was closed";

/** Waits for the image and checks the browser loaded it (its signed link answered a decodable image). */
async function expectLoadedImage(image: Locator): Promise<void> {
  await image.waitFor();
  const width = await image.evaluate(async (element: { decode(): Promise<void>; naturalWidth: number }) => {
    await element.decode();
    return element.naturalWidth;
  });
  expect(width).to.be.greaterThan(0);
}

/** What the page shows for an amount in US cents, as en-US writes dollars. */
const dollars = (minor: number) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(minor / 100);

describe("Web card disputes: a ruling refunds the card, a refund the bank fails, and staff refunding again", function () {
  this.timeout(240_000);

  let stack: WebStack;
  let browser: Browser;
  const pages = journeyPages(() => browser);
  let photo: Buffer;

  before(async function () {
    [stack, browser, photo] = await Promise.all([
      startWebStack({ cardPayments: true }),
      launchBrowser(),
      sharp({ create: { width: 96, height: 64, channels: 3, background: "#c0a040" } })
        .png()
        .toBuffer(),
    ]);
    await seedArbiter({ orm: stack.api.orm });
  });

  after(async function () {
    await browser?.close();
    await stack?.close();
  });

  afterEach(async function () {
    await pages.afterEach(this.currentTest);
  });

  const db = () => stack.api.database.pool;
  const local = () => stack.stripe!;

  async function orderOf(email: string) {
    const { rows } = await db().query<{ id: string; status: string; total_minor: number; payment_intent: string }>(
      `SELECT o.id, o.status, o.total_minor::int, c.stripe_payment_intent_id AS payment_intent
         FROM orders o JOIN users u ON u.id = o.buyer_id JOIN checkouts c ON c.id = o.checkout_id
        WHERE u.email = $1`,
      [email],
    );
    expect(rows).to.have.length(1);
    return rows[0];
  }

  async function refundsOf(orderId: string) {
    const { rows } = await db().query<{
      stripe_refund_id: string;
      amount_minor: number;
      status: string;
      dispute_id: string | null;
      farm_share_reversed_minor: number;
    }>(
      `SELECT stripe_refund_id, amount_minor::int, status, dispute_id, farm_share_reversed_minor::int
         FROM refunds WHERE order_id = $1 ORDER BY created_at`,
      [orderId],
    );
    return rows;
  }

  async function payable(orderId: string) {
    const { rows } = await db().query<{ amount_minor: number; reversed_minor: number; status: string }>(
      "SELECT amount_minor::int, reversed_minor::int, status FROM farm_payables WHERE order_id = $1",
      [orderId],
    );
    return rows[0];
  }

  /** The kinds of notification the page lists, newest first. */
  async function notificationKinds(page: Page): Promise<string[]> {
    await page.goto(`${stack.url}/notifications`);
    await page.getByRole("heading", { name: "Notifications" }).waitFor();
    const list = page.locator(".notification-list");
    await list.waitFor();
    return list.locator("li > span").allInnerTexts();
  }

  it("a delivered card order is disputed with a photo, answered, ruled 40% to the buyer; the bank fails the refund and an admin refunds again", async function () {
    // The buyer signs up by email and pays by card on the local Stripe's hosted page.
    const buyer = await pages.open();
    const email = await signUpWithEmail(buyer, stack, "disputing-buyer");
    await checkOutByCard(buyer, stack);
    await payWithCard(buyer, CARD_OK);
    await buyer.getByRole("heading", { name: "Payment received" }).waitFor({ timeout: 30_000 });
    const order = await orderOf(email);
    expect(order).to.include({ status: "paid", total_minor: MANGOES_MINOR });
    expect(order.payment_intent).to.match(/^pi_/);

    // The farmer ships from the dashboard; the buyer confirms delivery, so the farm's share accrues as a payable.
    const farmer = await pages.open({ key: hardhatKey(LOCAL_ROLES.farmers[0]) });
    await signInWithWallet(farmer, stack);
    await farmer.goto(`${stack.url}/farmer`);
    const incoming = farmer.locator(".order-row", { has: farmer.getByRole("button", { name: "Mark shipped" }) });
    await incoming.getByRole("button", { name: "Mark shipped" }).click();
    await incoming.waitFor({ state: "detached" });
    pages.focus(buyer);
    await buyer.goto(`${stack.url}/orders/${order.id}`);
    await buyer.getByRole("button", { name: "Confirm delivery" }).click();
    await buyer.getByTestId("order-status").getByText("Delivered").waitFor();
    const fee = Math.floor((MANGOES_MINOR * WEB_STACK_FEE_BPS) / 10_000);
    expect(await payable(order.id)).to.deep.equal({
      amount_minor: MANGOES_MINOR - fee,
      reversed_minor: 0,
      status: "accrued",
    });

    // The buyer opens a dispute with a reason and a photo.
    const buyerDispute = pageSection(buyer, "Dispute");
    await buyerDispute.getByLabel("What went wrong?").fill(REASON);
    await buyerDispute
      .getByLabel("A photo as evidence (optional)")
      .setInputFiles({ name: "rotten.png", mimeType: "image/png", buffer: photo });
    await buyerDispute.getByRole("img", { name: "The photo to add" }).waitFor();
    await buyerDispute.getByRole("button", { name: "Open a dispute" }).click();
    await buyerDispute.getByTestId("dispute-status").getByText("Open").waitFor();
    await expectLoadedImage(buyerDispute.getByRole("img", { name: "Photo evidence (Buyer)" }));
    await buyer.getByTestId("order-status").getByText("Disputed").waitFor();

    // The farmer answers in the thread on the order's page.
    pages.focus(farmer);
    await farmer.goto(`${stack.url}/orders/${order.id}`);
    const farmerDispute = pageSection(farmer, "Dispute");
    await farmerDispute.getByText(REASON).waitFor();
    await farmerDispute.getByLabel("Your message").fill(REPLY);
    await farmerDispute.getByRole("button", { name: "Send the message" }).click();
    await farmerDispute.getByText(REPLY).waitFor();

    // The seeded arbiter finds it in the queue and rules 40% to the buyer: the API refunds that share by card.
    const arbiter = await pages.open({ key: hardhatKey(LOCAL_ROLES.arbiter) });
    await signInWithWallet(arbiter, stack);
    await arbiter.getByRole("navigation").getByRole("link", { name: "Disputes" }).click();
    await arbiter.getByRole("link", { name: "Dispute over an order from Padma River Farm" }).click();
    const arbiterDispute = pageSection(arbiter, "Dispute");
    await expectLoadedImage(arbiterDispute.getByRole("img", { name: "Photo evidence (Buyer)" }));
    await arbiterDispute.getByText(REPLY).waitFor();
    const buyerShare = Math.floor((MANGOES_MINOR * 40) / 100);
    const farmShare = MANGOES_MINOR - buyerShare;
    const split = `The buyer gets ${dollars(buyerShare)}, the farm gets ${dollars(farmShare)}`;
    const ruling = pageSection(arbiter, "Ruling");
    await ruling
      .getByText("A card order: the buyer's share is refunded to their card through Stripe, the farm keeps the rest.")
      .waitFor();
    await ruling.getByLabel("The buyer's share of the payment (%)").fill("40");
    await ruling.getByText(split).waitFor();
    await ruling.getByRole("button", { name: "Give this ruling" }).click();
    await arbiterDispute.getByTestId("dispute-status").getByText("Ruled by an arbiter").waitFor({ timeout: 30_000 });
    expect(await arbiterDispute.getByTestId("dispute-ruling").innerText()).to.equal(split);
    expect(await ruling.count(), "a ruled dispute takes no second ruling").to.equal(0);

    // The database: the dispute ruled with its shares, one refund of the buyer's share under a Stripe id, the
    // order resolved, the farm's payable reduced by its share of the refund.
    const { rows: disputes } = await db().query<{
      id: string;
      status: string;
      buyer_share_minor: number;
      farm_share_minor: number;
      ruled: boolean;
    }>(
      `SELECT d.id, d.status, d.buyer_share_minor::int, d.farm_share_minor::int, d.ruled_by_id = w.user_id AS ruled
         FROM disputes d, wallets w WHERE d.order_id = $1 AND w.address = $2`,
      [order.id, (await seedArbiter({ orm: stack.api.orm })).address],
    );
    expect(disputes).to.have.length(1);
    expect(disputes[0]).to.deep.include({
      status: "ruled",
      buyer_share_minor: buyerShare,
      farm_share_minor: farmShare,
      ruled: true,
    });
    await local().local.waitForWebhooksIdle(20_000);
    const farmShareOfRefund = Math.floor((buyerShare * (MANGOES_MINOR - fee)) / MANGOES_MINOR);
    const [ruled] = await refundsOf(order.id);
    expect(ruled).to.deep.include({
      amount_minor: buyerShare,
      status: "succeeded",
      dispute_id: disputes[0].id,
      farm_share_reversed_minor: farmShareOfRefund,
    });
    expect(ruled.stripe_refund_id).to.match(/^re_/);
    expect((await orderOf(email)).status).to.equal("resolved");
    expect(await payable(order.id)).to.deep.equal({
      amount_minor: MANGOES_MINOR - fee,
      reversed_minor: farmShareOfRefund,
      status: "accrued",
    });

    // The local Stripe: one refund of the buyer's share on the payment intent.
    const stripeRefunds = await local().stripe.refunds.list({ payment_intent: order.payment_intent });
    expect(stripeRefunds.data.map((refund) => [refund.id, refund.amount, refund.status])).to.deep.equal([
      [ruled.stripe_refund_id, buyerShare, "succeeded"],
    ]);

    // Each side sees the ruling, and the buyer the refund on the timeline and among the notifications.
    for (const page of [buyer, farmer]) {
      pages.focus(page);
      await page.goto(`${stack.url}/orders/${order.id}`);
      const dispute = pageSection(page, "Dispute");
      await dispute.getByTestId("dispute-status").getByText("Ruled by an arbiter").waitFor();
      expect(await dispute.getByTestId("dispute-ruling").innerText()).to.equal(split);
      await page.getByTestId("order-status").getByText("Resolved").waitFor();
      const refunded = page.locator(".timeline li", { hasText: "Refunded" });
      expect(await refunded.innerText())
        .to.contain(`Amount: ${dollars(buyerShare)}`)
        .and.contain(ruled.stripe_refund_id);
      expect(
        await page.getByRole("heading", { name: "Refund", exact: true }).count(),
        "a party refunds nothing",
      ).to.equal(0);
    }
    pages.focus(buyer);
    expect(await notificationKinds(buyer)).to.include.members(["Refund", "Dispute resolved"]);

    // The bank fails the refund (the card was closed): the API gives back what it took and flags the order.
    local().local.failRefund(ruled.stripe_refund_id);
    await local().local.waitForWebhooksIdle(20_000);
    const [failed] = await refundsOf(order.id);
    expect(failed).to.deep.include({ status: "failed", farm_share_reversed_minor: 0 });
    expect(await payable(order.id)).to.deep.include({ reversed_minor: 0, status: "accrued" });
    expect((await orderOf(email)).status).to.equal("resolved");
    const { rows: flags } = await db().query<{ kind: string; resolved: boolean }>(
      "SELECT kind, resolved_at IS NOT NULL AS resolved FROM order_flags WHERE order_id = $1",
      [order.id],
    );
    expect(flags).to.deep.equal([{ kind: "refund_failed", resolved: false }]);

    // The buyer is told, and the order's timeline shows the failed refund.
    expect(await notificationKinds(buyer)).to.include("A refund failed");
    await buyer.goto(`${stack.url}/orders/${order.id}`);
    const failedEntry = buyer.locator(".timeline li", { hasText: "Refund failed at the bank" });
    expect(await failedEntry.innerText()).to.contain(`Amount: ${dollars(buyerShare)}`);
    await pageSection(buyer, "Payment problems")
      .getByText("A refund failed at the bank; the buyer still waits for that money", { exact: false })
      .waitFor();

    // An admin (no arbiter role) sees the flagged order on the admin page, but no dispute queue the API would refuse.
    const adminSignUp = await pages.open();
    const adminEmail = await signUpWithEmail(adminSignUp, stack, "admin");
    await db().query("UPDATE users SET roles = ARRAY['buyer', 'admin'] WHERE email = $1", [adminEmail]);
    const admin = await pages.open({ width: 360 });
    await signInWithEmail(admin, stack, adminEmail);
    const nav = admin.getByRole("navigation");
    await nav.getByRole("link", { name: "Admin" }).click();
    expect(await nav.getByRole("link", { name: "Disputes" }).count()).to.equal(0);
    const flagged = pageSection(admin, "Flagged payments");
    const flagRow = flagged.getByRole("row", { name: /A refund failed at the bank/ });
    await flagRow.waitFor();
    await admin.goto(`${stack.url}/arbiter`);
    await admin.getByText("The dispute queue is for arbiters: only they can rule on disputes.").waitFor();
    await admin.getByRole("link", { name: "See the open disputes on the admin page" }).click();
    await pageSection(admin, "Flagged payments")
      .getByRole("link", { name: `Open order ${order.id}` })
      .click();

    // On the order's page the admin reads the dispute (no thread form, no new dispute) and refunds the buyer again.
    await admin.getByTestId("order-status").getByText("Resolved").waitFor();
    const adminDispute = pageSection(admin, "Dispute");
    await adminDispute.getByTestId("dispute-status").getByText("Ruled by an arbiter").waitFor();
    expect(await adminDispute.getByLabel("What went wrong?").count()).to.equal(0);
    const refund = pageSection(admin, "Refund");
    const amount = refund.getByLabel("Amount to refund (USD)");
    const reason = refund.getByLabel("Reason for the refund");
    const submit = refund.getByRole("button", { name: "Refund to the buyer's card" });
    for (const control of [amount, reason, submit]) {
      const box = (await control.boundingBox())!;
      expect(box.height).to.be.at.least(44);
      expect(box.x + box.width).to.be.at.most(360);
    }
    expect(await admin.evaluate<number>("document.documentElement.scrollWidth")).to.be.at.most(360);

    // Bad input is explained before anything is sent; more than is left is explained by the API's answer.
    await amount.fill("7");
    await reason.fill(REFUND_REASON);
    await submit.click();
    await refund.getByRole("alert").getByText("Enter an amount above zero, at most $6.50, e.g. 2.60.").waitFor();
    await amount.fill("2.60");
    await reason.fill("  ");
    await submit.click();
    await refund.getByRole("alert").getByText("Say why the buyer gets this money back.").waitFor();
    expect(await refundsOf(order.id)).to.have.length(1);
    await reason.fill(REFUND_REASON);
    await submit.click();
    await refund
      .getByRole("status")
      .getByText(`Refunded ${dollars(buyerShare)} to the buyer's card.`)
      .waitFor();
    await amount.fill("4");
    await reason.fill("A second refund, more than is left");
    await submit.click();
    await refund
      .getByRole("alert")
      .getByText(`Only ${dollars(MANGOES_MINOR - buyerShare)} of this payment can still be refunded.`)
      .waitFor();

    // The second refund: in the database (the farm's share taken off again), on the local Stripe and the timeline.
    await local().local.waitForWebhooksIdle(20_000);
    const [, again] = await refundsOf(order.id);
    expect(again).to.deep.include({
      amount_minor: buyerShare,
      status: "succeeded",
      dispute_id: null,
      farm_share_reversed_minor: farmShareOfRefund,
    });
    expect(await payable(order.id)).to.deep.include({ reversed_minor: farmShareOfRefund });
    const { rows: reasons } = await db().query<{ reason: string }>(
      "SELECT reason FROM refunds WHERE stripe_refund_id = $1",
      [again.stripe_refund_id],
    );
    expect(reasons).to.deep.equal([{ reason: REFUND_REASON }]);
    const afterRetry = await local().stripe.refunds.list({ payment_intent: order.payment_intent });
    expect(
      afterRetry.data
        .map((item) => [item.id, item.amount, item.status])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).to.deep.equal(
      [
        [ruled.stripe_refund_id, buyerShare, "failed"],
        [again.stripe_refund_id, buyerShare, "succeeded"],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    await admin.locator(".timeline li", { hasText: again.stripe_refund_id }).waitFor();
  });

  it("refunds part of a card order from its page in Bengali on a 360 px phone, with 44 px controls and Bengali digits", async function () {
    const { orderId } = await paidCardOrder(stack, 2);
    const arbiter = await pages.open({ locale: "bn-BD", width: 360, key: hardhatKey(LOCAL_ROLES.arbiter) });
    await signInWithWallet(arbiter, stack, BN_WALLET_SIGN_IN);
    await arbiter.goto(`${stack.url}/orders/${orderId}`);

    const refund = pageSection(arbiter, "টাকা ফেরত");
    const amount = refund.getByLabel("ফেরতের পরিমাণ (USD)");
    const reason = refund.getByLabel("টাকা ফেরতের কারণ");
    const submit = refund.getByRole("button", { name: "ক্রেতার কার্ডে টাকা ফেরত দিন" });
    for (const control of [amount, reason, submit]) {
      const box = (await control.boundingBox())!;
      expect(box.height).to.be.at.least(44);
      expect(box.x + box.width).to.be.at.most(360);
    }
    expect(await arbiter.evaluate<number>("document.documentElement.scrollWidth")).to.be.at.most(360);

    // Labels lead the keyboard to their fields; a malformed amount is refused in Bengali, and nothing is sent.
    await amount.focus();
    await arbiter.keyboard.type("১.২৩৪");
    await arbiter.keyboard.press("Tab");
    await arbiter.keyboard.type("ফল পচা ছিল");
    await arbiter.keyboard.press("Tab");
    await arbiter.keyboard.press("Enter");
    await refund.getByRole("alert").getByText("শূন্যের বেশি এবং সর্বোচ্চ", { exact: false }).waitFor();
    expect(await amount.getAttribute("aria-invalid")).to.equal("true");

    await amount.fill("১.৫০");
    await submit.click();
    await refund.getByRole("status").getByText("ক্রেতার কার্ডে", { exact: false }).waitFor();
    await stack.stripe!.local.waitForWebhooksIdle(20_000);
    const [row] = await refundsOf(orderId);
    expect(row).to.deep.include({ amount_minor: 150, status: "succeeded", dispute_id: null });
    await arbiter.locator(".timeline li", { hasText: row.stripe_refund_id }).waitFor();
    const stripeRefund = await local().stripe.refunds.retrieve(row.stripe_refund_id);
    expect(stripeRefund).to.include({ amount: 150, status: "succeeded" });
  });
});
