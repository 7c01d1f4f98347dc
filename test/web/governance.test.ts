import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { Wallet, parseEther } from "ethers";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { privateKeyToAccount } from "viem/accounts";

import { launchBrowser, saveScreenshot } from "../support/browser.js";
import { openOrder } from "../support/escrow-actions.js";
import { delegateToSelf } from "../support/governance-actions.js";
import { hardhatKey } from "../support/hardhat-keys.js";
import { inProcessSync } from "../support/indexer-setup.js";
import { deployLocal } from "../support/local-deployment.js";
import { startLocalNode } from "../support/local-node.js";
import { syncToHead } from "../support/sync-harness.js";
import { startWebStack } from "../support/web-stack.js";
import type { WebStack } from "../support/web-stack.js";

type Deployment = Awaited<ReturnType<typeof deployLocal>>;
type LocalNode = Awaited<ReturnType<typeof startLocalNode>>;

// The chain RPC the production build talks to (VITE_CHAIN_RPC_URL's default); the browser's requests to it are
// forwarded to this test's own node.
const BUILD_RPC_ORIGIN = "http://127.0.0.1:8545";
const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "*",
  "access-control-allow-methods": "POST, GET, OPTIONS",
};

/** The burner wallet is given the key of the local account a context plays: Hardhat's default account `index`. */
function privateKeyOf(signer: HardhatEthersSigner, index: number): string {
  const key = hardhatKey(index);
  expect(privateKeyToAccount(key).address).to.equal(signer.address);
  return key;
}

describe("Governance in a real browser on the local chain", function () {
  this.timeout(240_000);

  let node: LocalNode;
  let deployment: Deployment;
  let stack: WebStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let lastPage: Page | undefined;
  let indexing = true;
  let indexer: Promise<void>;

  before(async function () {
    node = await startLocalNode();
    deployment = await deployLocal(node.connection, { deploymentId: node.deploymentId });
    const relayer = Wallet.createRandom();
    await (await deployment.accounts.deployer.sendTransaction({ to: relayer.address, value: parseEther("10") })).wait();
    [stack, browser] = await Promise.all([
      startWebStack({
        escrowTerms: false,
        apiEnv: {
          CHAIN_RPC_URL: node.url,
          ESCROW_ADDRESS: (await deployment.escrow.getAddress()).toLowerCase(),
          ESCROW_TOKEN_ADDRESS: (await deployment.usdc.getAddress()).toLowerCase(),
          GOVERNOR_ADDRESS: (await deployment.governor.getAddress()).toLowerCase(),
          RELAYER_PRIVATE_KEY: relayer.privateKey,
        },
      }),
      launchBrowser(),
    ]);
    // The indexer, in process: follows the head so the API sees every proposal, vote and TermsUpdated.
    const sync = await inProcessSync(stack.api.database.pool, node.url, deployment, { confirmations: 0 });
    indexer = (async () => {
      while (indexing) {
        await syncToHead(sync);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
  });

  after(async function () {
    indexing = false;
    await indexer?.catch(() => undefined);
    for (const context of contexts) await context.close();
    await browser?.close();
    await stack?.close();
    await node?.stop();
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed" && lastPage !== undefined && !lastPage.isClosed()) {
      const file = await saveScreenshot(lastPage, this.currentTest.fullTitle());
      console.log(`    screenshot: ${file}`);
    }
  });

  /** A browser context whose burner wallet holds `signer`'s key; its chain requests reach the test's node. */
  async function openAs(signer: HardhatEthersSigner | undefined, options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ locale: "en-US", ...options });
    contexts.push(context);
    await context.route(
      (url) => url.origin === BUILD_RPC_ORIGIN,
      async (route) => {
        if (route.request().method() === "OPTIONS") return route.fulfill({ status: 204, headers: CORS });
        const response = await route.fetch({ url: node.url });
        return route.fulfill({ response, headers: { ...response.headers(), ...CORS } });
      },
    );
    if (signer !== undefined) {
      const signers = await node.connection.ethers.getSigners();
      const key = privateKeyOf(
        signer,
        signers.findIndex((candidate) => candidate.address === signer.address),
      );
      await context.addInitScript((burnerKey: string) => {
        localStorage.setItem("agridao.burnerKey", burnerKey);
      }, key);
    }
    const page = await context.newPage();
    lastPage = page;
    return page;
  }

  /** Connects the burner wallet through RainbowKit's modal. */
  async function connect(page: Page) {
    await page.getByRole("button", { name: "Connect Wallet" }).click();
    await page.getByRole("button", { name: /Burner wallet/ }).click();
    await page.getByRole("button", { name: "Connect Wallet" }).waitFor({ state: "detached" });
  }

  async function advance(seconds: number) {
    await node.connection.networkHelpers.time.increase(seconds);
  }

  let proposalUrl: string;

  it("delegates, proposes a 3% fee, votes from three accounts (one gasless, one with a reason), queues and executes it, after which the cart and new escrow orders carry 3%", async function () {
    const [alice, bob, carol] = deployment.accounts.voters;

    // Delegation: the effect is spelled out before the wallet signs.
    const page = await openAs(alice);
    await page.goto(`${stack.url}/governance`);
    await page.getByRole("heading", { level: 1, name: "Governance" }).waitFor();
    await connect(page);
    await page.getByText("Nobody yet: your AGRI does not vote").waitFor();
    await page.getByText("Your 10,000,000 AGRI will count as your own votes.").waitFor();
    await page.getByRole("button", { name: "Delegate to myself" }).click();
    await page.getByTestId("voting-power").filter({ hasText: "10,000,000 AGRI" }).waitFor();
    expect(await deployment.token.delegates(alice.address)).to.equal(alice.address);
    await delegateToSelf(deployment.token, [bob, carol]);

    // The builder previews the action as the proposal page will describe it.
    await page.getByRole("link", { name: "New proposal" }).first().click();
    await page.getByLabel("Title").fill("Set fee to 3%");
    await page.getByLabel("New fee (%)").fill("3");
    await page
      .getByLabel("Description (Markdown)")
      .fill("Farmers asked for a **lower** fee.\n\n<script>alert(1)</script>");
    await page
      .getByTestId("action-preview")
      .getByText(/^Set platform fee to 3\.00%$/)
      .waitFor();
    await page.getByRole("button", { name: "Submit proposal" }).click();
    await page.waitForURL(`${stack.url}/governance`);
    await page.getByRole("link", { name: "Set fee to 3%" }).click();
    await page.waitForURL(/\/governance\/proposals\/[0-9]+$/);
    proposalUrl = page.url();
    await page.getByText("Set platform fee to 3.00%").waitFor();
    // The description's HTML stays text.
    expect(await page.locator(".markdown strong").innerText()).to.equal("lower");
    expect(await page.locator(".markdown script").count()).to.equal(0);
    await page.locator(".markdown").getByText("<script>alert(1)</script>").waitFor();

    // Voting opens after the voting delay.
    await advance(2);
    await page.locator(".gov-state", { hasText: "Active" }).waitFor();
    await page.getByLabel("Reason (optional, public)").fill("Lower fees bring more farmers");
    await page.getByRole("button", { name: "Vote", exact: true }).click();
    await page.getByText("You have voted on this proposal.").waitFor();

    const bobPage = await openAs(bob);
    await bobPage.goto(proposalUrl);
    await connect(bobPage);
    await bobPage.getByRole("button", { name: "Sign and vote without gas" }).click();
    await bobPage.getByText("You have voted on this proposal.").waitFor();

    const carolPage = await openAs(carol);
    await carolPage.goto(proposalUrl);
    await connect(carolPage);
    await carolPage.getByRole("radio", { name: "Abstain" }).check();
    await carolPage.getByRole("button", { name: "Vote", exact: true }).click();
    await carolPage.getByText("You have voted on this proposal.").waitFor();

    lastPage = page;
    const rows = page.locator(".gov-votes tbody tr");
    await rows.nth(2).waitFor();
    const table = await rows.allInnerTexts();
    expect(table.filter((row) => row.includes("For"))).to.have.length(2);
    expect(table.filter((row) => row.includes("Abstain"))).to.have.length(1);
    expect(table.some((row) => row.includes("Lower fees bring more farmers"))).to.equal(true);
    // Bob's ballot went through the relayer: the governor counted it, and Bob paid no gas.
    expect(await deployment.governor.hasVoted(BigInt(proposalUrl.split("/").pop()!), bob.address)).to.equal(true);

    // The vote closes; the proposal succeeded and is queued, then executed once the timelock delay has passed.
    await advance(5 * 60 + 2);
    await page.locator(".gov-state", { hasText: "Succeeded" }).waitFor();
    await page.getByRole("button", { name: "Queue for execution" }).click();
    await page.locator(".gov-state", { hasText: "Queued" }).waitFor();
    await page.getByText(/^Executable in [0-9]+:[0-9]{2}$/).waitFor();
    expect(await page.getByRole("button", { name: "Execute" }).isDisabled()).to.equal(true);
    await advance(61);
    await page.getByText("The timelock delay has passed: anyone may execute it.").waitFor();
    await page.getByRole("button", { name: "Execute" }).click();
    await page.locator(".gov-state", { hasText: "Executed" }).waitFor();
    expect((await deployment.escrow.currentTerms()).feeBps).to.equal(300n);

    // The shop's cart states the new fee once the indexer has seen TermsUpdated ...
    const products = (await (await stack.api.request("/api/products?limit=1")).json()) as {
      products: { id: string }[];
    };
    await page.goto(`${stack.url}/products/${products.products[0].id}`);
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.getByText(/Added\./).waitFor();
    await page.goto(`${stack.url}/cart`);
    await page.getByText("platform fee of 3%").waitFor();
    // ... and a new escrow order snapshots it on the chain.
    const [buyer] = deployment.accounts.buyers;
    const [farmer] = deployment.accounts.farmers;
    const orderId = await openOrder(deployment.escrow, buyer, farmer, parseEther("1"));
    expect((await deployment.escrow.getOrder(orderId)).terms.feeBps).to.equal(300n);
  });

  it("speaks Bengali on the governance home and fits a 360 px screen", async function () {
    const bengali = await openAs(undefined, { locale: "bn-BD" });
    await bengali.goto(`${stack.url}/governance`);
    await bengali.getByRole("heading", { level: 1, name: "পরিচালনা" }).waitFor();
    await bengali.getByRole("heading", { level: 2, name: "প্রস্তাবসমূহ" }).waitFor();
    await bengali.locator(".gov-state", { hasText: "কার্যকর" }).waitFor();
    await bengali.getByRole("link", { name: "পরিচালনা" }).first().waitFor();
    // The builder names the escrow's fee cap in Bengali, with Bengali digits.
    await bengali.goto(`${stack.url}/governance/proposals/new`);
    await bengali.getByLabel("নতুন ফি (%)").fill("12");
    await bengali.getByText("এসক্রো ফি সর্বোচ্চ ১০% পর্যন্ত রাখে; এর বেশি লিখবেন না।").waitFor();

    // A phone: nothing wider than the screen, on the home, a proposal and the builder (which refuses a non-holder).
    const [nobody] = deployment.accounts.others;
    const phone = await openAs(nobody, {
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    const fitsThePhone = async (route: string) => {
      await phone.waitForLoadState("networkidle");
      const width = await phone.evaluate<number>("document.documentElement.scrollWidth");
      expect(width, `page width of ${route}`).to.be.at.most(360);
      // As on the shop: links in running text are exempt (WCAG 2.5.8); a radio's target is its whole label.
      const targets = phone.locator(
        ":is(a, button, input:not([type=radio]), select, textarea, .inline-choice):not(p *, dd *, .skip-link, .inline-choice *)",
      );
      const small: string[] = [];
      for (const target of await targets.all()) {
        const box = await target.boundingBox();
        if (box !== null && box.width > 0 && (box.height < 44 || box.width < 44)) {
          small.push(`"${(await target.textContent()) ?? ""}" ${box.width}x${box.height}`);
        }
      }
      expect(small, `small touch targets on ${route}`).to.deep.equal([]);
    };
    await phone.goto(`${stack.url}/governance`);
    await connect(phone);
    for (const route of ["/governance", new URL(proposalUrl).pathname]) {
      await phone.goto(`${stack.url}${route}`);
      await phone.locator(".gov-tally").first().waitFor();
      await fitsThePhone(route);
    }
    await phone.goto(`${stack.url}/governance/proposals/new`);
    await phone.getByText(/You have 0 AGRI of voting power; proposing needs 10,000 AGRI\./).waitFor();
    expect(await phone.getByRole("button", { name: "Submit proposal" }).isDisabled()).to.equal(true);
    await fitsThePhone("/governance/proposals/new");
  });

  it("builds a proposal with the keyboard alone, with the focus always visible", async function () {
    const page = await openAs(undefined);
    await page.goto(`${stack.url}/governance/proposals/new`);
    await page.getByRole("heading", { level: 1, name: "New proposal" }).waitFor();
    const focused = () =>
      page.evaluate<{ text: string; label: string; outline: string }>(
        "({ text: document.activeElement.textContent.trim(), label: document.activeElement.labels?.[0]?.textContent ?? '', outline: getComputedStyle(document.activeElement).outlineStyle })",
      );
    const tabTo = async (name: string, key: "Tab" | "Shift+Tab" = "Tab") => {
      for (let presses = 0; presses < 60; presses += 1) {
        await page.keyboard.press(key);
        const current = await focused();
        expect(current.outline, `focus ring on "${current.text || current.label}"`).to.not.equal("none");
        if (current.text === name || current.label === name) return;
      }
      throw new Error(`"${name}" is not reachable with Tab`);
    };
    await tabTo("New fee (%)");
    // Above the escrow's cap (MAX_FEE_BPS, 10%) the proposal would pass and then revert: the builder refuses it.
    await page.keyboard.type("10.01");
    await page.getByText("The escrow caps the fee at 10%; enter at most that.").waitFor();
    expect(await page.getByTestId("action-preview").locator("li").count()).to.equal(0);
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("2.75");
    await page
      .getByTestId("action-preview")
      .getByText(/^Set platform fee to 2\.75%$/)
      .waitFor();
    await tabTo("Action to add");
    await page.keyboard.press("End");
    await tabTo("Add action");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 3, name: "Raw contract call" }).waitFor();
    await tabTo("Function", "Shift+Tab");
    // A closed select picks the option whose text is typed.
    await page.keyboard.type("setPaused");
    expect(await page.getByLabel("Function").inputValue()).to.equal("setPaused(bool)");
    // The function's argument input appears right after the picker (once the choice is reported, which may be when
    // the focus leaves the picker).
    await page.keyboard.press("Tab");
    if ((await focused()).label !== "paused_ (bool)") await tabTo("paused_ (bool)", "Shift+Tab");
    await page.keyboard.type("true");
    await page
      .getByTestId("action-preview")
      .getByText(/^Pause new escrow orders$/)
      .waitFor();
  });
});
