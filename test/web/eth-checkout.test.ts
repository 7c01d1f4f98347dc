import { expect } from "chai";
import type { Browser } from "playwright-core";
import { privateKeyToAccount } from "viem/accounts";

import { LOCAL_ETH_USD_PRICE } from "../../deploy/LocalModule.js";
import { launchBrowser } from "../support/browser.js";
import { startChainWebStack } from "../support/chain-web-stack.js";
import type { ChainWebStack } from "../support/chain-web-stack.js";
import { OrderState } from "../support/escrow-actions.js";
import { hardhatKey } from "../support/hardhat-keys.js";
import { journeyPages } from "../support/journey-pages.js";
import { EN_CHECKOUT as EN, checkoutWithWallet, waitForOrderStatus } from "../support/wallet-journey.js";

// A spare Hardhat account (10,000 test ETH, no USDC) plays the buyer: it can only pay in ETH.
const BUYER_ACCOUNT = 13;
const PAY_IN_ETH = "ETH (at the current price)";
const PAY_IN_STABLECOIN = "Stablecoin (USDC, at par)";

describe("Web checkout paid in ETH on a real chain", function () {
  this.timeout(180_000);

  let stack: ChainWebStack;
  let browser: Browser;
  const pages = journeyPages(() => browser);

  before(async function () {
    [stack, browser] = await Promise.all([startChainWebStack({ ethPriceFeed: true }), launchBrowser()]);
  });

  after(async function () {
    await browser?.close();
    await stack?.close();
  });

  afterEach(async function () {
    await pages.afterEach(this.currentTest);
  });

  async function balanceOf(address: string): Promise<bigint> {
    return BigInt(
      (await stack.node.connection.provider.request({
        method: "eth_getBalance",
        params: [address, "latest"],
      })) as string,
    );
  }

  it("pays in ETH from the burner wallet on a 360 px phone at the quoted amount, and the order shows its quote", async function () {
    const buyerKey = hardhatKey(BUYER_ACCOUNT);
    const buyer = privateKeyToAccount(buyerKey).address;
    const page = await pages.open({ key: buyerKey, width: 360 });
    await checkoutWithWallet(page, stack, EN, { faucet: false });

    const ethChoice = page.getByLabel(PAY_IN_ETH);
    const label = (await page.locator("label", { hasText: PAY_IN_ETH }).boundingBox())!;
    expect(label.height).to.be.at.least(44);
    await ethChoice.check();
    const balanceBefore = await balanceOf(buyer);
    await page.getByRole("button", { name: EN.pay }).click();

    // The quote, as the page shows it while the payment is under way, then the checkout's progress to paid.
    // Read the moment it shows: once the order is paid (which can be within a second) the countdown is gone.
    const countdown = await page.waitForFunction(
      `document.querySelector('[data-testid="eth-quote"] [role="timer"]')?.textContent ?? null`,
    );
    expect(await countdown.jsonValue()).to.match(/^\d+:\d\d left \(until .+\)$/);
    await page.getByRole("heading", { name: EN.paid }).waitFor({ timeout: 60_000 });
    expect(await page.locator(".order-list").innerText()).to.contain("Paid");
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).to.be.at.most(360);

    // The database: paid, with the quote it was priced at.
    await waitForOrderStatus(stack, buyer, "paid");
    const { rows } = await stack.api.database.pool.query<{
      id: string;
      status: string;
      escrow_amount: string;
      escrow_order_id: string;
      quote_price: string;
      quote_price_decimals: number;
      quote_round_id: string;
    }>(
      `SELECT o.id, o.status, o.escrow_amount, o.escrow_order_id::text, o.quote_price, o.quote_price_decimals,
              o.quote_round_id
         FROM orders o JOIN wallets w ON w.user_id = o.buyer_id WHERE w.address = $1`,
      [buyer.toLowerCase()],
    );
    expect(rows).to.have.length(1);
    const [order] = rows;
    expect([order.status, order.quote_price, order.quote_price_decimals]).to.deep.equal([
      "paid",
      LOCAL_ETH_USD_PRICE.toString(),
      8,
    ]);
    const wei = BigInt(order.escrow_amount);

    // What the buyer saw is that quote: the amount in ETH, the price and its round.
    const ether = new Intl.NumberFormat("en-US", { maximumFractionDigits: 8 }).format(Number(wei) / 1e18);
    const shown = await page.getByTestId("eth-quote").innerText();
    expect(shown).to.contain(`${ether} ETH`);
    expect(shown).to.contain(`$3,000.00 per ETH (price round ${order.quote_round_id})`);

    // The chain: an escrow order in ETH (token address(0)) for exactly the quoted wei, paid from the buyer's ETH.
    const funded = await stack.deployment.escrow.getOrder(BigInt(order.escrow_order_id));
    expect(funded.state).to.equal(OrderState.Funded);
    expect(funded.buyer).to.equal(buyer);
    expect(funded.token).to.equal("0x0000000000000000000000000000000000000000");
    expect(funded.amount).to.equal(wei);
    const balanceAfter = await balanceOf(buyer);
    expect(balanceBefore - balanceAfter >= wei, `spent ${balanceBefore - balanceAfter} wei`).to.equal(true);

    // The order page says it was paid in ETH, at which quote.
    await page.getByRole("link", { name: "Padma River Farm" }).click();
    await page.getByTestId("order-status").getByText("Paid").waitFor({ timeout: 30_000 });
    await page.getByText("Wallet (ETH into escrow)").waitFor();
    const onOrder = await page
      .locator("section", { has: page.getByRole("heading", { name: "Paid in ETH" }) })
      .innerText();
    expect(onOrder).to.contain(`${ether} ETH`);
    expect(onOrder).to.contain("$3,000.00 per ETH");
    expect(onOrder).to.contain("Quote valid");
  });

  it("tells a buyer without ETH that the wallet cannot pay the quoted amount plus gas, and sends nothing", async function () {
    const page = await pages.open();
    const key = await checkoutWithWallet(page, stack, EN, { faucet: false });
    const buyer = privateKeyToAccount(key as `0x${string}`).address;
    await page.getByLabel(PAY_IN_ETH).check();
    await page.getByRole("button", { name: EN.pay }).click();
    await page.getByText("Your wallet does not hold enough ETH for this amount plus the network fee.").waitFor();
    await page.getByTestId("eth-quote").getByRole("timer").waitFor();
    expect(
      await stack.node.connection.provider.request({ method: "eth_getTransactionCount", params: [buyer, "latest"] }),
    ).to.equal("0x0");
    const { rows } = await stack.api.database.pool.query<{ status: string; quote_price: string }>(
      `SELECT o.status, o.quote_price FROM orders o JOIN wallets w ON w.user_id = o.buyer_id WHERE w.address = $1`,
      [buyer.toLowerCase()],
    );
    expect(rows).to.deep.equal([{ status: "awaiting_payment", quote_price: LOCAL_ETH_USD_PRICE.toString() }]);
  });

  it("says why ETH cannot be quoted while the price feed is stale, and lets the buyer pay in the stablecoin instead", async function () {
    const feed = stack.deployment.ethUsdFeed;
    const now = await stack.node.connection.networkHelpers.time.latest();
    const page = await pages.open();
    const key = await checkoutWithWallet(page, stack, EN, { faucet: false });
    const buyer = privateKeyToAccount(key as `0x${string}`).address;
    await (await feed.setRound(LOCAL_ETH_USD_PRICE, now - 7_200, now - 7_200)).wait();
    try {
      await page.getByLabel(PAY_IN_ETH).check();
      await page.getByRole("button", { name: EN.pay }).click();
      await page
        .getByText("The ETH price cannot be read right now, so no ETH amount can be quoted.", { exact: false })
        .waitFor();
    } finally {
      await (await feed.setAnswer(LOCAL_ETH_USD_PRICE)).wait();
    }
    expect(await page.getByLabel(PAY_IN_STABLECOIN).isEnabled()).to.equal(true);
    const { rows } = await stack.api.database.pool.query(
      "SELECT o.id FROM orders o JOIN wallets w ON w.user_id = o.buyer_id WHERE w.address = $1",
      [buyer.toLowerCase()],
    );
    expect(rows, "nothing reserved").to.deep.equal([]);
    expect(
      await stack.node.connection.provider.request({ method: "eth_getTransactionCount", params: [buyer, "latest"] }),
    ).to.equal("0x0");
  });
});
