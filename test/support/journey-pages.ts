import type { Browser, BrowserContext, Page } from "playwright-core";

import { saveScreenshot } from "./browser.js";

/** How a journey's browser context starts: its locale, viewport width, and the burner wallet's key. */
export interface JourneyPageOptions {
  locale?: string;
  width?: number;
  /** The burner wallet's private key; a fresh random one when omitted. */
  key?: string;
}

/**
 * The browser contexts of a journey's users (one each, so sessions and burner wallets stay apart), the page last
 * acted on (`current`, screenshotted when a test fails), and their clean-up after each test.
 */
export function journeyPages(browser: () => Browser) {
  const contexts: BrowserContext[] = [];
  let current: Page | undefined;
  return {
    async open(options: JourneyPageOptions = {}): Promise<Page> {
      const context = await browser().newContext({
        locale: options.locale ?? "en-US",
        viewport: { width: options.width ?? 1280, height: 900 },
      });
      contexts.push(context);
      if (options.key !== undefined) {
        await context.addInitScript((key) => localStorage.setItem("agridao.burnerKey", key), options.key);
      }
      current = await context.newPage();
      return current;
    },
    /** Marks the page the journey acts on now, for the screenshot of a failure. */
    focus(page: Page): Page {
      current = page;
      return page;
    },
    /** For mocha's afterEach: the failing test's screenshot, then every context closed. */
    async afterEach(test: Mocha.Test | undefined): Promise<void> {
      if (test?.state === "failed" && current !== undefined && !current.isClosed()) {
        console.log(`    screenshot: ${await saveScreenshot(current, test.fullTitle())}`);
      }
      for (const context of contexts.splice(0)) await context.close();
      current = undefined;
    },
  };
}
