import { readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";

import { expect } from "chai";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { launchBrowser, saveScreenshot } from "../support/browser.js";
import { addSlowBrowserWallet } from "../support/slow-browser-wallet.js";
import type { SlowBrowserWalletState } from "../support/slow-browser-wallet.js";
import { WEB_STACK_FEE_BPS, startWebStack } from "../support/web-stack.js";
import type { WebStack } from "../support/web-stack.js";

interface ManifestChunk {
  file: string;
  css?: string[];
  imports?: string[];
  dynamicImports?: string[];
  isEntry?: boolean;
}

/** Files of the build reachable from `key` through static imports (what loading that chunk downloads). */
function staticClosure(manifest: Record<string, ManifestChunk>, key: string, into = new Set<string>()): Set<string> {
  const chunk = manifest[key];
  if (chunk === undefined || into.has(chunk.file)) return into;
  into.add(chunk.file);
  for (const css of chunk.css ?? []) into.add(css);
  for (const imported of chunk.imports ?? []) staticClosure(manifest, imported, into);
  return into;
}

describe("Web shop in a real browser", function () {
  this.timeout(120_000);

  let stack: WebStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async function () {
    [stack, browser] = await Promise.all([startWebStack(), launchBrowser()]);
  });

  after(async function () {
    await browser?.close();
    await stack?.close();
  });

  async function openContext(options: BrowserContextOptions = {}): Promise<Page> {
    context = await browser.newContext({ locale: "en-US", ...options });
    page = await context.newPage();
    return page;
  }

  afterEach(async function () {
    if (this.currentTest?.state === "failed" && page !== undefined && !page.isClosed()) {
      const file = await saveScreenshot(page, this.currentTest.fullTitle());
      console.log(`    screenshot: ${file}`);
    }
    await context?.close();
  });

  const productId = async (query: string): Promise<string> => {
    const response = await stack.api.request(`/api/products?q=${encodeURIComponent(query)}`);
    const body = (await response.json()) as { products: { id: string; name: string }[] };
    return body.products[0].id;
  };

  const cartRows = async () =>
    (
      await stack.api.database.pool.query<{ user_id: string | null; name: string; quantity: number }>(
        `SELECT c.user_id, p.name, i.quantity FROM carts c JOIN cart_items i ON i.cart_id = c.id
           JOIN products p ON p.id = i.product_id ORDER BY p.name`,
      )
    ).rows;

  it("is served the production build: React's production code, and none of its development build's", async function () {
    const manifest = JSON.parse(await readFile(path.join(stack.distDir, ".vite", "manifest.json"), "utf8")) as Record<
      string,
      ManifestChunk
    >;
    const scripts = [...new Set(Object.values(manifest).map((chunk) => chunk.file))].filter((file) =>
      file.endsWith(".js"),
    );
    const served = await Promise.all(
      scripts.map(async (file) => {
        const response = await fetch(`${stack.url}/${file}`);
        expect(response.status, file).to.equal(200);
        return { file, code: await response.text() };
      }),
    );
    // The development JSX runtime (every component's elements go through jsxDEV) and React DOM's development hint.
    const development = served.filter(
      ({ code }) => code.includes("jsxDEV") || code.includes("Download the React DevTools"),
    );
    expect(development.map(({ file }) => file)).to.deep.equal([]);
    // React DOM's production build sends its error messages as codes to look up.
    expect(served.filter(({ code }) => code.includes("Minified React error #"))).to.have.length(1);
  });

  it("browses, searches, filters, opens a product and adds it to the cart, which groups it by farm with the fee", async function () {
    await openContext();
    await page.goto(stack.url);
    await page.getByRole("link", { name: "Browse the shop" }).click();
    await page.waitForURL("**/shop");
    await page.getByRole("heading", { level: 1, name: "Shop" }).waitFor();

    // The seeded thirty products come twelve at a time, following the API's cursor.
    await page.locator(".card").first().waitFor();
    expect(await page.locator(".card").count()).to.equal(12);
    await page.getByRole("button", { name: "Show more" }).click();
    await page.locator(".card").nth(23).waitFor();
    expect(await page.locator(".card").count()).to.equal(24);

    await page.getByLabel("Search products").fill("tomatoes");
    await page.getByRole("button", { name: "Show products" }).click();
    await page.getByRole("link", { name: "Heirloom tomatoes" }).waitFor();
    expect(await page.locator(".card").count()).to.equal(1);

    await page.getByLabel("Search products").fill("");
    await page.getByLabel("Category").selectOption("fruits");
    await page.getByLabel("Region").selectOption("Rajshahi");
    await page.getByLabel("Highest price (USD)").fill("7");
    await page.getByRole("button", { name: "Show products" }).click();
    await page.waitForURL(/category=fruits/);
    await page.getByRole("link", { name: "Himsagar mangoes" }).waitFor();
    const names = await page.locator(".card-title").allInnerTexts();
    expect(names).to.deep.equal(["Himsagar mangoes"]);

    await page.getByRole("link", { name: "Himsagar mangoes" }).click();
    await page.getByRole("heading", { level: 1, name: "Himsagar mangoes" }).waitFor();
    expect(await page.locator(".price").innerText()).to.equal("$6.50 / kg");
    expect(await page.getByText("80 kg in stock").count()).to.equal(1);
    expect(await page.getByRole("link", { name: "Padma River Farm" }).count()).to.equal(1);
    const photo = page.locator(".product-photos img.photo");
    expect(await photo.getAttribute("srcset")).to.match(/thumbnail.* 320w, .*display.* 1280w$/);
    expect(await photo.getAttribute("sizes")).to.equal("(min-width: 900px) 50vw, 100vw");

    await page.getByLabel("Quantity").fill("2");
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.getByText("Added. Your cart has 2 of these.").waitFor();
    await page.getByRole("link", { name: /^Cart/ }).click();

    const group = page.locator(".cart-group");
    await group.waitFor();
    expect(await group.getByRole("heading", { level: 2 }).innerText()).to.equal("Padma River Farm");
    expect(await group.locator(".cart-line-name").allInnerTexts()).to.deep.equal(["Himsagar mangoes"]);
    expect(await group.locator(".cart-line-total").innerText()).to.equal("$13.00");
    const fee = Math.floor((1300 * WEB_STACK_FEE_BPS) / 10_000);
    expect(await group.locator(".totals").innerText()).to.match(
      new RegExp(`Platform fee.*\\s+\\$0\\.${fee}\\s+Farm receives\\s+\\$12\\.${100 - fee}`, "s"),
    );
    expect(await page.locator(".cart-summary .price").innerText()).to.equal("$13.00");
    expect(await page.getByText("platform fee of 2.5%").count()).to.equal(1);

    const cookies = await context.cookies();
    expect(cookies.find((cookie) => cookie.name === "agridao_cart")?.httpOnly).to.equal(true);
    expect(await cartRows()).to.deep.include({ user_id: null, name: "Himsagar mangoes", quantity: 2 });
  });

  it("signs up with an email and merges the anonymous cart into the new account's", async function () {
    await openContext();
    await page.goto(`${stack.url}/products/${await productId("Khalisha honey")}`);
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.getByText("Added. Your cart has 1 of these.").waitFor();

    await page.getByRole("link", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "New here? Create an account" }).click();
    const email = `buyer-${Date.now()}@example.com`;
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("a long and unusual passphrase");
    await page.getByLabel("I accept the terms of service").check();
    await page.getByRole("button", { name: "Create account" }).click();

    await page.waitForURL("**/account");
    await page.getByText(email).waitFor();
    await page.getByRole("link", { name: /^Cart/ }).click();
    await page.locator(".cart-line-name", { hasText: "Khalisha honey" }).waitFor();
    expect(await page.locator(".cart-group h2").allInnerTexts()).to.deep.equal(["Sundarbans Honey Co-op"]);

    const { rows } = await stack.api.database.pool.query<{ id: string }>("SELECT id FROM users WHERE email = $1", [
      email,
    ]);
    const honeyCarts = (await cartRows()).filter((row) => row.name === "Khalisha honey");
    expect(honeyCarts).to.deep.equal([{ user_id: rows[0].id, name: "Khalisha honey", quantity: 1 }]);

    // The session survives a reload: the refresh cookie signs the browser in again.
    await page.reload();
    await page.getByRole("link", { name: "Account" }).waitFor();
  });

  it("puts what a signed-in buyer adds while the sign-in is being restored into the account's cart", async function () {
    await openContext();
    await page.goto(`${stack.url}/sign-in`);
    await page.getByRole("button", { name: "New here? Create an account" }).click();
    const email = `restorer-${Date.now()}@example.com`;
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("a long and unusual passphrase");
    await page.getByLabel("I accept the terms of service").check();
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL("**/account");

    // A new page load restores the sign-in from the refresh cookie; a slow answer leaves time to click meanwhile.
    await page.route("**/api/auth/refresh", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.continue();
    });
    await page.goto(`${stack.url}/products/${await productId("Khalisha honey")}`);
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.getByText("Added. Your cart has 1 of these.").waitFor();
    const { rows } = await stack.api.database.pool.query<{ id: string }>("SELECT id FROM users WHERE email = $1", [
      email,
    ]);
    const honey = (await cartRows()).filter((row) => row.name === "Khalisha honey" && row.user_id === rows[0].id);
    expect(honey).to.deep.equal([{ user_id: rows[0].id, name: "Khalisha honey", quantity: 1 }]);
    await page.unroute("**/api/auth/refresh");
  });

  it("lets a signed-in buyer download their data and delete their account", async function () {
    await openContext();
    await page.goto(`${stack.url}/sign-in`);
    await page.getByRole("button", { name: "New here? Create an account" }).click();
    const email = `leaver-${Date.now()}@example.com`;
    const password = "another long and unusual passphrase";
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByLabel("I accept the terms of service").check();
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL("**/account");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download my data" }).click(),
    ]);
    const exported = JSON.parse(await readFile(await download.path(), "utf8")) as { account: { email: string } };
    expect(exported.account.email).to.equal(email);

    await page.getByLabel("Your password, to confirm").fill(password);
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.waitForURL(`${stack.url}/`);
    await page.getByRole("heading", { level: 1, name: "Fresh from the farm to your door" }).waitFor();
    await page.getByRole("link", { name: "Sign in", exact: true }).waitFor();
    const login = await stack.api.request("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    expect(login.status).to.equal(401);
  });

  it("speaks Bengali to a Bengali browser, with Bengali digits, and remembers a switch to English", async function () {
    await openContext({ locale: "bn-BD" });
    await page.goto(`${stack.url}/products/${await productId("Himsagar mangoes")}`);
    await page.getByRole("link", { name: "দোকান" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).to.equal("bn");
    const price = await page.locator(".price").innerText();
    expect(price).to.match(/৬\.৫০/);
    expect(price).to.contain("/ কেজি");
    expect(await page.getByText("মজুদ ৮০ কেজি").count()).to.equal(1);

    await page.getByLabel("ভাষা").selectOption("en");
    await page.getByRole("link", { name: "Shop" }).waitFor();
    expect(await page.locator(".price").innerText()).to.equal("$6.50 / kg");
    await page.reload();
    await page.getByRole("link", { name: "Shop" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).to.equal("en");

    await page.getByLabel("Language").selectOption("bn");
    await page.getByRole("button", { name: "ঝুড়িতে রাখুন" }).click();
    await page.getByText("রাখা হয়েছে। আপনার ঝুড়িতে এটি ১টি আছে।").waitFor();
  });

  it("fits a 360 px phone: no sideways scrolling and touch targets of at least 44 px", async function () {
    await openContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const product = await productId("Heirloom tomatoes");
    await page.goto(`${stack.url}/products/${product}`);
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.getByText("Added. Your cart has 1 of these.").waitFor();

    for (const route of ["/", "/shop", `/products/${product}`, "/cart", "/sign-in", "/farms/padma-river-farm"]) {
      await page.goto(`${stack.url}${route}`);
      await page.locator("main h1").first().waitFor();
      await page.waitForLoadState("networkidle");
      const width = await page.evaluate<number>("document.documentElement.scrollWidth");
      expect(width, `page width of ${route}`).to.be.at.most(360);
      // Links inside running text are exempt (WCAG 2.5.8); so is the skip link, off screen until focused.
      const targets = page.locator(":is(a, button, input, select):not(p *, dd *, .skip-link)");
      const small: string[] = [];
      for (const target of await targets.all()) {
        const box = await target.boundingBox();
        if (box !== null && box.width > 0 && (box.height < 44 || box.width < 44)) {
          small.push(`"${(await target.textContent()) ?? ""}" ${box.width}x${box.height}`);
        }
      }
      expect(small, `small touch targets on ${route}`).to.deep.equal([]);
    }
  });

  it("reads the shop's first products while the app is still downloading, and renders them without a loading state", async function () {
    await openContext();
    const reads: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith("/api/")) reads.push(`${url.pathname}${url.search}`);
    });
    // The app's libraries are held back until the shop's first page of products has arrived (10 s at most): the read
    // must have started before them, from the entry.
    const firstPage = page.waitForResponse((response) => response.url().endsWith("/api/products?limit=12"));
    let readBeforeApp = false;
    await page.route(/\/assets\/shell-[\w-]+\.js$/, async (route) => {
      readBeforeApp = await Promise.race([firstPage.then(() => true), delay(10_000).then(() => false)]);
      await route.continue();
    });
    // Anything the page showed while it loaded, from its first paint on.
    await page.addInitScript(`
      window.seenStatuses = [];
      new MutationObserver(() => {
        for (const status of document.querySelectorAll("main .status")) window.seenStatuses.push(status.textContent);
      }).observe(document, { childList: true, subtree: true, characterData: true });
    `);
    await page.goto(`${stack.url}/shop`);
    await page
      .getByRole("status")
      .filter({ hasText: /^Showing \d+ products?$/ })
      .waitFor();
    expect(readBeforeApp).to.equal(true);
    expect(await page.locator(".card").count()).to.equal(12);
    expect(await page.evaluate<string[]>("window.seenStatuses")).to.not.include("Loading…");
    // Each read once: the early read serves the page's query instead of a second request.
    expect(reads.filter((read) => read === "/api/products?limit=12")).to.have.length(1);
    expect(reads.filter((read) => read === "/api/farms?limit=100")).to.have.length(1);
  });

  it("does not wait long for a slow first read: the page shows it is loading, then the products from that one read", async function () {
    await openContext();
    const reads: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname === "/api/products") reads.push(url.search);
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/products?limit=12", async (route) => {
      await released;
      await route.continue();
    });
    await page.goto(`${stack.url}/shop`);
    // The app renders after a bounded wait (1 s) for the page's reads, not when the held read arrives.
    await page.getByRole("heading", { level: 1, name: "Shop" }).waitFor();
    await page.getByRole("status").filter({ hasText: "Loading…" }).waitFor();
    expect(await page.locator(".card").count()).to.equal(0);
    release();
    await page.locator(".card").first().waitFor();
    expect(await page.locator(".card").count()).to.equal(12);
    // The page's query took the held early read rather than asking again.
    expect(reads).to.deep.equal(["?limit=12"]);
  });

  it("can be shopped with the keyboard alone, with the focus always visible", async function () {
    await openContext();
    await page.goto(`${stack.url}/shop`);
    await page.locator(".card").first().waitFor();
    const focused = () =>
      page.evaluate<{ text: string; outline: string }>(
        "({ text: document.activeElement.textContent.trim(), outline: getComputedStyle(document.activeElement).outlineStyle })",
      );
    const tabTo = async (text: string) => {
      for (let presses = 0; presses < 40; presses += 1) {
        await page.keyboard.press("Tab");
        const current = await focused();
        expect(current.outline, `focus ring on "${current.text}"`).to.not.equal("none");
        if (current.text === text) return;
      }
      throw new Error(`"${text}" is not reachable with Tab`);
    };
    const first = (await page.locator(".card-title").first().innerText()).trim();
    await tabTo(first);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: first }).waitFor();
    await tabTo("Add to cart");
    await page.keyboard.press("Enter");
    await page.getByText("Added. Your cart has 1 of these.").waitFor();
  });

  it("loads no wallet code on the shop's first page, and the burner wallet (chain 31337) signs in and deletes its account", async function () {
    const manifest = JSON.parse(await readFile(path.join(stack.distDir, ".vite", "manifest.json"), "utf8")) as Record<
      string,
      ManifestChunk
    >;
    // What index.html loads: its entry, and the app it preloads alongside (see preloadApp in web/vite.config.ts).
    const shell = staticClosure(manifest, "src/app.tsx", staticClosure(manifest, "index.html"));
    const walletOnly = [...staticClosure(manifest, "src/wallet/wallet-sign-in.tsx")].filter((file) => !shell.has(file));
    expect(walletOnly.length).to.be.greaterThan(0);

    await openContext();
    const requested: string[] = [];
    page.on("request", (request) => requested.push(new URL(request.url()).pathname));
    await page.goto(`${stack.url}/shop`);
    await page.locator(".card").first().waitFor();
    await page.waitForLoadState("networkidle");
    const shopAssets = requested.filter((file) => file.startsWith("/assets/"));
    expect(shopAssets.length).to.be.greaterThan(0);
    expect(shopAssets.filter((file) => walletOnly.includes(file.slice(1)))).to.deep.equal([]);

    await page.getByRole("link", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Sign in with a wallet instead" }).click();
    await page.getByRole("button", { name: "Connect Wallet" }).click();
    await page.getByText("Burner wallet (local chain)").click();
    await page.getByRole("button", { name: "Sign the message and sign in" }).click();
    await page.waitForURL("**/account");
    const address = await page.locator(".address").innerText();
    expect(address).to.match(/^0x[0-9a-f]{40}$/);
    expect(requested.some((file) => walletOnly.includes(file.slice(1)))).to.equal(true);
    // RainbowKit's Bengali strings are a chunk of their own: an English page never fetches them.
    expect(requested.filter((file) => file.includes("/rainbowkit-bn-"))).to.deep.equal([]);
    const burnerKey = await page.evaluate(() => localStorage.getItem("agridao.burnerKey"));
    expect(burnerKey).to.match(/^0x[0-9a-f]{64}$/);

    // The wallet account has no password: its deletion is confirmed with a signature from the same wallet.
    const { rows: before } = await stack.api.database.pool.query<{ user_id: string }>(
      "SELECT user_id FROM wallets WHERE address = $1",
      [address],
    );
    expect(before).to.have.length(1);
    const deleteButton = page.getByRole("button", { name: "Sign with the wallet and delete my account" });
    await deleteButton.waitFor();
    await deleteButton.click();
    await page.getByRole("heading", { level: 1, name: "Fresh from the farm to your door" }).waitFor();
    const { rows: after } = await stack.api.database.pool.query<{ deleted: boolean; wallets: number }>(
      `SELECT deleted_at IS NOT NULL AS deleted, (SELECT count(*)::int FROM wallets WHERE user_id = $1) AS wallets
         FROM users WHERE id = $1`,
      [before[0].user_id],
    );
    expect(after).to.deep.equal([{ deleted: true, wallets: 0 }]);
  });

  it("offers no connect button until the wallets' reconnect has settled, then connects the burner chosen", async function () {
    await openContext();
    await addSlowBrowserWallet(context, 2_000);
    await page.goto(`${stack.url}/sign-in/wallet`);
    // Clicked as soon as the page offers it. wagmi's reconnect waits on the browser wallet meanwhile, and it ends by
    // setting `disconnected` over a connect started before it settled.
    await page.getByRole("button", { name: "Connect Wallet" }).click();
    const answered = await page.evaluate(() => (globalThis as unknown as SlowBrowserWalletState).browserWalletAnswered);
    expect(answered, "the connect button was offered before the reconnect had settled").to.equal(true);
    await page.getByText("Burner wallet (local chain)").click();
    await page.getByRole("button", { name: "Sign the message and sign in" }).waitFor();
    // Connected with the burner: RainbowKit's button shows its address, shortened.
    const burner = privateKeyToAccount((await page.evaluate(() => localStorage.getItem("agridao.burnerKey"))) as Hex);
    expect(await page.getByTestId("rk-account-button").innerText()).to.contain(
      `${burner.address.slice(0, 4)}…${burner.address.slice(-4)}`,
    );
  });

  it("shows RainbowKit's wallet dialogs in Bengali on a Bengali page, and in English after a switch", async function () {
    await openContext({ locale: "bn-BD" });
    const requested: string[] = [];
    page.on("request", (request) => requested.push(new URL(request.url()).pathname));
    await page.goto(`${stack.url}/sign-in/wallet`);
    await page.getByRole("button", { name: "ওয়ালেট যুক্ত করুন" }).click();
    const picker = page.getByRole("dialog");
    await picker.getByRole("heading", { name: "একটি ওয়ালেট যুক্ত করুন" }).waitFor();
    await picker.getByText("প্রস্তাবিত", { exact: true }).waitFor();
    expect(requested.filter((file) => file.includes("/rainbowkit-bn-"))).to.have.length(1);
    await picker.getByText("বার্নার ওয়ালেট (লোকাল চেইন)").click();
    await page.getByRole("button", { name: "বার্তায় সই করে সাইন ইন করুন" }).waitFor();

    // The account dialog of the connected wallet, opened from RainbowKit's button (which now shows the account).
    await page.getByTestId("rk-account-button").click();
    const account = page.getByRole("dialog");
    await account.getByRole("button", { name: "ঠিকানা কপি করুন" }).waitFor();
    await account.getByRole("button", { name: "সংযোগ বিচ্ছিন্ন করুন" }).click();

    await page.getByLabel("ভাষা").selectOption("en");
    await page.getByRole("button", { name: "Connect Wallet" }).click();
    await page.getByRole("dialog").getByRole("heading", { name: "Connect a Wallet" }).waitFor();
    await page.getByRole("dialog").getByText("Recommended", { exact: true }).waitFor();
  });
});
