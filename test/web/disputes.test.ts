import { expect } from "chai";
import type { Browser } from "playwright-core";
import sharp from "sharp";
import { privateKeyToAccount } from "viem/accounts";

import { LOCAL_ROLES } from "../../deploy/local.js";
import { launchBrowser } from "../support/browser.js";
import { startChainWebStack } from "../support/chain-web-stack.js";
import type { ChainWebStack } from "../support/chain-web-stack.js";
import { OrderState } from "../support/escrow-actions.js";
import { journeyPages } from "../support/journey-pages.js";
import { insertOrder } from "../support/order-fixtures.js";
import { pageSection } from "../support/page-section.js";
import { hardhatKey } from "../support/hardhat-keys.js";
import {
  EN_CHECKOUT,
  checkoutWithWallet,
  BN_WALLET_SIGN_IN,
  signInWithWallet,
  waitForOrderStatus,
} from "../support/wallet-journey.js";

// Padma River Farm, the seeded farm of the first local farmer (Hardhat account 2), sells the mangoes.
const FARMER_ACCOUNT = LOCAL_ROLES.farmers[0];
// A spare Hardhat account (10,000 test ETH, no USDC until the test mints it) plays the buyer.
const BUYER_ACCOUNT = 12;
// Another spare account: the buyer who settles with the farmer.
const SETTLING_BUYER_ACCOUNT = 14;

const REASON = "Half the mangoes arrived bruised";
const REPLY = "They were firm and unbruised when they left the farm.";

/** What the page shows for an amount in US cents, as en-US writes dollars. */
const dollars = (minor: number) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(minor / 100);

describe("Web disputes on a real chain", function () {
  this.timeout(240_000);

  let stack: ChainWebStack;
  let browser: Browser;
  const pages = journeyPages(() => browser);
  let photo: Buffer;

  before(async function () {
    [stack, browser, photo] = await Promise.all([
      startChainWebStack(),
      launchBrowser(),
      sharp({ create: { width: 96, height: 64, channels: 3, background: "#8d6e63" } })
        .png()
        .toBuffer(),
    ]);
  });

  after(async function () {
    await browser?.close();
    await stack?.close();
  });

  afterEach(async function () {
    await pages.afterEach(this.currentTest);
  });

  /**
   * A paid card order from Padma River Farm for the user signed in with `address`: card checkout itself is the card
   * journey's subject.
   */
  async function paidCardOrder(address: string): Promise<string> {
    const { rows } = await stack.api.database.pool.query<{ user_id: string; farm_id: string }>(
      `SELECT w.user_id, f.id AS farm_id FROM wallets w, farms f
        WHERE w.address = lower($1) AND f.name = 'Padma River Farm'`,
      [address],
    );
    return insertOrder(stack.api.database.pool, { buyerId: rows[0].user_id, farmId: rows[0].farm_id });
  }

  it("a buyer disputes a shipped escrow order with a photo, the farmer answers, and the arbiter's wallet splits it 60/40", async function () {
    const { escrow, usdc } = stack.deployment;
    const usdcAddress = await usdc.getAddress();
    const buyerKey = hardhatKey(BUYER_ACCOUNT);
    const buyerWallet = privateKeyToAccount(buyerKey).address;
    await (await usdc.mint(buyerWallet, 1_000_000_000n)).wait();

    // The buyer pays into escrow with the burner wallet; the farmer ships from the dashboard.
    const buyerPage = await pages.open({ key: buyerKey });
    await checkoutWithWallet(buyerPage, stack, EN_CHECKOUT, { faucet: false });
    await buyerPage.getByRole("button", { name: EN_CHECKOUT.pay }).click();
    await buyerPage.getByRole("heading", { name: EN_CHECKOUT.paid }).waitFor({ timeout: 60_000 });
    const paid = await waitForOrderStatus(stack, buyerWallet, "paid");
    const escrowOrderId = BigInt(paid.escrow_order_id!);

    const farmerPage = await pages.open({ key: hardhatKey(FARMER_ACCOUNT) });
    await signInWithWallet(farmerPage, stack);
    await farmerPage.getByRole("link", { name: "Farm dashboard" }).click();
    await farmerPage.getByRole("button", { name: "Mark shipped" }).click();
    await farmerPage.getByText("Mined.").waitFor();
    await waitForOrderStatus(stack, buyerWallet, "shipped");

    // The buyer opens a dispute with a reason and a photo: the API records it, the wallet sends openDispute.
    pages.focus(buyerPage);
    await buyerPage.getByRole("link", { name: "Padma River Farm" }).click();
    await buyerPage.getByTestId("order-status").getByText("Shipped").waitFor({ timeout: 30_000 });
    const buyerEscrow = pageSection(buyerPage, "On-chain escrow");
    await buyerEscrow.getByLabel("What went wrong?").fill(REASON);
    await buyerEscrow
      .getByLabel("A photo as evidence (optional)")
      .setInputFiles({ name: "bruised.png", mimeType: "image/png", buffer: photo });
    await buyerEscrow.getByRole("img", { name: "The photo to add" }).waitFor();
    await buyerEscrow.getByRole("button", { name: "Open a dispute" }).click();
    await buyerEscrow.getByText("Mined.").waitFor({ timeout: 60_000 });
    expect((await escrow.getOrder(escrowOrderId)).state).to.equal(OrderState.Disputed);
    await waitForOrderStatus(stack, buyerWallet, "disputed");
    await buyerPage.getByTestId("order-status").getByText("Disputed").waitFor({ timeout: 30_000 });
    const buyerDispute = pageSection(buyerPage, "Dispute");
    await buyerDispute.getByText(REASON).waitFor();
    await buyerDispute.getByRole("img", { name: "Photo evidence (Buyer)" }).waitFor();
    expect(await buyerDispute.getByTestId("dispute-status").innerText()).to.equal("Open");
    // Disputed on-chain, the escrow panel offers a settlement between the two sides instead.
    await buyerEscrow.getByRole("button", { name: "Propose this split" }).waitFor();
    expect(await buyerEscrow.getByRole("button", { name: "Open a dispute" }).count()).to.equal(0);

    // The farmer reads the dispute on the order's page and answers in its thread.
    pages.focus(farmerPage);
    await farmerPage.goto(`${stack.url}/orders/${paid.id}`);
    const farmerDispute = pageSection(farmerPage, "Dispute");
    await farmerDispute.getByText(REASON).waitFor();
    await farmerDispute.getByRole("img", { name: "Photo evidence (Buyer)" }).waitFor();
    await farmerDispute.getByLabel("Your message").fill(REPLY);
    await farmerDispute.getByRole("button", { name: "Send the message" }).click();
    await farmerDispute.getByText(REPLY).waitFor();

    // The buyer's open page shows the reply (the notification's live event refetches the thread).
    pages.focus(buyerPage);
    await buyerDispute.getByText(REPLY).waitFor({ timeout: 30_000 });

    // The arbiter (Hardhat account 1: ARBITER_ROLE on the escrow, seeded as the API's arbiter and admin) finds the
    // dispute on the admin page and in the queue, reads the evidence and the thread, and rules 60% to the buyer.
    const arbiterPage = await pages.open({ key: hardhatKey(LOCAL_ROLES.arbiter) });
    await signInWithWallet(arbiterPage, stack);
    await arbiterPage.getByRole("navigation").getByRole("link", { name: "Admin" }).click();
    await arbiterPage.getByRole("heading", { name: "Open disputes: 1" }).waitFor();
    await pageSection(arbiterPage, "Stripe reconciliation")
      .getByText("No reconciliation has run yet (npm run stripe:reconcile).")
      .waitFor();
    await arbiterPage.getByRole("navigation").getByRole("link", { name: "Disputes" }).click();
    await arbiterPage.getByRole("link", { name: "Dispute over an order from Padma River Farm" }).click();
    const arbiterDispute = pageSection(arbiterPage, "Dispute");
    await arbiterDispute.getByText(REASON).waitFor();
    await arbiterDispute.getByRole("img", { name: "Photo evidence (Buyer)" }).waitFor();
    await arbiterDispute.getByText(REPLY).waitFor();
    const total = paid.total_minor;
    const buyerShare = Math.floor((total * 60) / 100);
    const ruling = pageSection(arbiterPage, "Ruling");
    await ruling.getByLabel("The buyer's share of the payment (%)").fill("60");
    await ruling
      .getByText(`The buyer gets ${dollars(buyerShare)}, the farm gets ${dollars(total - buyerShare)}`)
      .waitFor();
    const amount = (await escrow.getOrder(escrowOrderId)).amount;
    const farmer = stack.farmerAddresses[0];
    const [buyerCreditBefore, farmerCreditBefore] = await Promise.all([
      escrow.creditOf(buyerWallet, usdcAddress),
      escrow.creditOf(farmer, usdcAddress),
    ]);
    await ruling.getByRole("button", { name: "Give this ruling" }).click();
    // The wallet sends the rule call; once the indexer reports it the dispute is ruled, naming the transaction.
    await arbiterDispute.getByTestId("dispute-status").getByText("Ruled by an arbiter").waitFor({ timeout: 60_000 });

    // The chain: resolved, 60% of the escrowed amount credited to the buyer, the rest less the fee to the farmer.
    const resolved = await escrow.getOrder(escrowOrderId);
    expect(resolved.state).to.equal(OrderState.Resolved);
    const buyerAmount = (amount * 6_000n) / 10_000n;
    const fee = ((amount - buyerAmount) * resolved.terms.feeBps) / 10_000n;
    expect(await escrow.creditOf(buyerWallet, usdcAddress)).to.equal(buyerCreditBefore + buyerAmount);
    expect(await escrow.creditOf(farmer, usdcAddress)).to.equal(farmerCreditBefore + amount - buyerAmount - fee);

    // The database: the dispute ruled with the split and the rule transaction, its evidence and thread, the order
    // resolved.
    const { rows: disputes } = await stack.api.database.pool.query<{
      id: string;
      status: string;
      reason: string;
      buyer_share_minor: number;
      farm_share_minor: number;
      chain_tx_hash: string | null;
    }>(
      `SELECT id, status, reason, buyer_share_minor::int, farm_share_minor::int, chain_tx_hash FROM disputes
        WHERE order_id = $1`,
      [paid.id],
    );
    expect(disputes).to.have.length(1);
    expect(disputes[0]).to.deep.include({
      status: "ruled",
      reason: REASON,
      buyer_share_minor: buyerShare,
      farm_share_minor: total - buyerShare,
    });
    const ruleTx = disputes[0].chain_tx_hash!;
    expect(ruleTx).to.match(/^0x[0-9a-f]{64}$/);
    expect(await arbiterDispute.getByTestId("dispute-ruling").innerText()).to.contain(ruleTx);
    const { rows: evidence } = await stack.api.database.pool.query<{ kind: string }>(
      "SELECT kind FROM dispute_evidence WHERE dispute_id = $1",
      [disputes[0].id],
    );
    expect(evidence).to.deep.equal([{ kind: "photo" }]);
    const { rows: messages } = await stack.api.database.pool.query<{ body: string }>(
      "SELECT body FROM dispute_messages WHERE dispute_id = $1",
      [disputes[0].id],
    );
    expect(messages).to.deep.equal([{ body: REPLY }]);
    expect((await waitForOrderStatus(stack, buyerWallet, "resolved")).status).to.equal("resolved");

    // Each side sees the ruling on the order's page; the queue is empty.
    const split = `The buyer gets ${dollars(buyerShare)}, the farm gets ${dollars(total - buyerShare)}`;
    for (const page of [buyerPage, farmerPage]) {
      pages.focus(page);
      await page.reload();
      const dispute = pageSection(page, "Dispute");
      await dispute.getByTestId("dispute-status").getByText("Ruled by an arbiter").waitFor();
      expect(await dispute.getByTestId("dispute-ruling").innerText()).to.equal(`${split}\nTransaction: ${ruleTx}`);
      await page.getByTestId("order-status").getByText("Resolved").waitFor();
      expect(await dispute.getByLabel("Your message").count(), "a closed dispute takes no more messages").to.equal(0);
    }
    pages.focus(arbiterPage);
    await arbiterPage.getByRole("link", { name: "All open disputes" }).click();
    await arbiterPage.getByText("No open disputes.").waitFor();
  });

  it("the farmer proposes a split from the wallet and the buyer accepts it: the escrow settles with no arbiter", async function () {
    const { escrow, usdc } = stack.deployment;
    const usdcAddress = await usdc.getAddress();
    const buyerKey = hardhatKey(SETTLING_BUYER_ACCOUNT);
    const buyerWallet = privateKeyToAccount(buyerKey).address;
    await (await usdc.mint(buyerWallet, 1_000_000_000n)).wait();
    const buyerPage = await pages.open({ key: buyerKey });
    await checkoutWithWallet(buyerPage, stack, EN_CHECKOUT, { faucet: false });
    await buyerPage.getByRole("button", { name: EN_CHECKOUT.pay }).click();
    await buyerPage.getByRole("heading", { name: EN_CHECKOUT.paid }).waitFor({ timeout: 60_000 });
    const paid = await waitForOrderStatus(stack, buyerWallet, "paid");
    const escrowOrderId = BigInt(paid.escrow_order_id!);

    // Not shipped yet: a funded order may be disputed too, here without a photo.
    await buyerPage.getByRole("link", { name: "Padma River Farm" }).click();
    const buyerEscrow = pageSection(buyerPage, "On-chain escrow");
    await buyerEscrow.getByLabel("What went wrong?").fill("The farm asks for more time than agreed");
    await buyerEscrow.getByRole("button", { name: "Open a dispute" }).click();
    await buyerEscrow.getByText("Mined.").waitFor({ timeout: 60_000 });
    await waitForOrderStatus(stack, buyerWallet, "disputed");

    const farmerPage = await pages.open({ key: hardhatKey(FARMER_ACCOUNT) });
    await signInWithWallet(farmerPage, stack);
    await farmerPage.goto(`${stack.url}/orders/${paid.id}`);
    const farmerEscrow = pageSection(farmerPage, "On-chain escrow");
    await farmerEscrow.getByLabel("The buyer's share (%)").fill("30");
    await farmerEscrow.getByRole("button", { name: "Propose this split" }).click();
    const buyerShare = Math.floor((paid.total_minor * 3_000) / 10_000);
    await farmerEscrow
      .getByText(`You proposed 30% (${dollars(buyerShare)}) to the buyer.`)
      .waitFor({ timeout: 60_000 });
    const proposal = await escrow.getOrder(escrowOrderId);
    expect(proposal.settlementBuyerBps).to.equal(3_000n);
    expect(proposal.settlementProposer.toLowerCase()).to.equal(stack.farmerAddresses[0]);

    // The buyer's page reads the escrow again while disputed, shows the proposal, and accepts it.
    pages.focus(buyerPage);
    await buyerEscrow
      .getByText(`The other side proposes 30% (${dollars(buyerShare)}) to the buyer.`)
      .waitFor({ timeout: 30_000 });
    const before = await escrow.creditOf(buyerWallet, usdcAddress);
    await buyerEscrow.getByRole("button", { name: "Accept 30% to the buyer" }).click();
    await buyerPage.getByTestId("dispute-status").getByText("Settled between the parties").waitFor({ timeout: 60_000 });
    await buyerPage.getByTestId("order-status").getByText("Resolved").waitFor({ timeout: 30_000 });

    const settled = await escrow.getOrder(escrowOrderId);
    expect(settled.state).to.equal(OrderState.Resolved);
    expect(await escrow.creditOf(buyerWallet, usdcAddress)).to.equal(before + (proposal.amount * 3_000n) / 10_000n);
    const { rows } = await stack.api.database.pool.query<{
      status: string;
      buyer_share_minor: number;
      ruled_by_id: string | null;
    }>("SELECT status, buyer_share_minor::int, ruled_by_id FROM disputes WHERE order_id = $1", [paid.id]);
    expect(rows).to.deep.equal([{ status: "settled", buyer_share_minor: buyerShare, ruled_by_id: null }]);
    expect((await waitForOrderStatus(stack, buyerWallet, "resolved")).status).to.equal("resolved");
  });

  it("opens a card order's dispute in Bengali on a 360 px phone, with 44 px controls and no sideways scrolling", async function () {
    const key = hardhatKey(BUYER_ACCOUNT + 1);
    const page = await pages.open({ locale: "bn-BD", width: 360, key });
    await signInWithWallet(page, stack, BN_WALLET_SIGN_IN);
    const orderId = await paidCardOrder(privateKeyToAccount(key).address);
    await page.goto(`${stack.url}/orders/${orderId}`);

    const dispute = pageSection(page, "বিরোধ");
    const reason = dispute.getByLabel("কী সমস্যা হয়েছে?");
    const file = dispute.getByLabel("প্রমাণ হিসেবে একটি ছবি (ঐচ্ছিক)");
    const open = dispute.getByRole("button", { name: "বিরোধ তুলুন" });
    for (const control of [reason, file, open]) {
      const box = (await control.boundingBox())!;
      expect(box.height).to.be.at.least(44);
      expect(box.x + box.width).to.be.at.most(360);
    }
    await reason.fill("ডিমের অর্ধেক ভাঙা এসেছে");
    await file.setInputFiles({ name: "eggs.png", mimeType: "image/png", buffer: photo });
    await open.click();
    await dispute.getByTestId("dispute-status").getByText("চলমান").waitFor();
    await dispute.getByRole("img", { name: "ছবির প্রমাণ (ক্রেতা)" }).waitFor();
    await page.getByTestId("order-status").getByText("বিরোধ চলছে").waitFor();
    for (const control of [
      dispute.getByLabel("আপনার বার্তা"),
      dispute.getByRole("button", { name: "বার্তা পাঠান" }),
      dispute.getByLabel("প্রমাণ হিসেবে ছবি যোগ করুন"),
    ]) {
      expect((await control.boundingBox())!.height).to.be.at.least(44);
    }
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).to.be.at.most(360);

    const { rows } = await stack.api.database.pool.query<{ status: string; reason: string; evidence: number }>(
      `SELECT d.status, d.reason, (SELECT count(*)::int FROM dispute_evidence e WHERE e.dispute_id = d.id) AS evidence
         FROM disputes d WHERE d.order_id = $1`,
      [orderId],
    );
    expect(rows).to.deep.equal([{ status: "open", reason: "ডিমের অর্ধেক ভাঙা এসেছে", evidence: 1 }]);
  });

  it("keeps a card dispute open when its photo is not an image, and says to add it again", async function () {
    const key = hardhatKey(SETTLING_BUYER_ACCOUNT + 1);
    const page = await pages.open({ key });
    await signInWithWallet(page, stack);
    const orderId = await paidCardOrder(privateKeyToAccount(key).address);
    await page.goto(`${stack.url}/orders/${orderId}`);
    const dispute = pageSection(page, "Dispute");
    await dispute.getByLabel("What went wrong?").fill("The eggs never came");
    await dispute
      .getByLabel("A photo as evidence (optional)")
      .setInputFiles({ name: "notes.png", mimeType: "image/png", buffer: Buffer.from("not an image at all") });
    await dispute.getByRole("button", { name: "Open a dispute" }).click();
    await dispute
      .getByRole("alert")
      .getByText(
        "The dispute is open, but the photo could not be uploaded (JPEG, PNG or WebP only): add it again to the dispute's evidence.",
      )
      .waitFor();
    await dispute.getByTestId("dispute-status").getByText("Open").waitFor();
    await dispute.getByText("No evidence yet.").waitFor();
    const { rows } = await stack.api.database.pool.query<{ status: string; evidence: number }>(
      `SELECT d.status, (SELECT count(*)::int FROM dispute_evidence e WHERE e.dispute_id = d.id) AS evidence
         FROM disputes d WHERE d.order_id = $1`,
      [orderId],
    );
    expect(rows).to.deep.equal([{ status: "open", evidence: 0 }]);
  });
});
