import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";

import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";

/** Debian's Chromium (`apt-get install -y chromium`); Playwright's own browser downloads are not used. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Where a failing journey leaves its screenshot (gitignored). */
export const ARTIFACTS_DIR = path.resolve("test-artifacts");

/** Starts headless Chromium quietly: no background network, no component updates. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: install it with \`apt-get install -y chromium\``);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
    ],
  });
}

/** Saves a full-page screenshot named after the test, for a journey that failed. */
export async function saveScreenshot(page: Page, testTitle: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${testTitle.replace(/[^a-z0-9]+/gi, "-").slice(0, 100)}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
