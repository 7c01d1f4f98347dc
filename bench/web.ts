import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";

import { CHROMIUM_PATH, launchBrowser } from "../test/support/browser.js";
import { startWebStack } from "../test/support/web-stack.js";

// `npm run bench:web`: builds the web app, serves it with a real API on a seeded database, measures what the shop's
// first page downloads (gzip JS + CSS, in Chromium) and runs Lighthouse on the shop and a product page, desktop and
// mobile. Writes bench/results/web.json.
const CHROME_FLAGS = "--headless --no-sandbox --disable-gpu";
const LIGHTHOUSE = path.resolve("node_modules/.bin/lighthouse");
const BUDGET_KB = 120;

const run = promisify(execFile);
const resultsDir = path.join(import.meta.dirname, "results");
await mkdir(resultsDir, { recursive: true });
const log = (line: string) => console.log(`[bench:web] ${line}`);

const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

log("building the web app and starting the API on a seeded database…");
const stack = await startWebStack();
try {
  const { products } = (await (await stack.api.request("/api/products?limit=1")).json()) as {
    products: { id: string }[];
  };
  const pages = { shop: `${stack.url}/shop`, product: `${stack.url}/products/${products[0].id}` };

  // What index.html asks for up front: the entry script, its modulepreloads and stylesheets (gzip -9 of each file).
  const indexHtml = await readFile(path.join(stack.distDir, "index.html"), "utf8");
  const entryFiles = [...indexHtml.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  let entryBytes = 0;
  for (const file of entryFiles)
    entryBytes += gzipSync(await readFile(path.join(stack.distDir, file)), { level: 9 }).length;

  // What the browser really downloads to show the shop: every JS and CSS response until the network is idle.
  const browser = await launchBrowser();
  const downloaded: { file: string; bytes: number }[] = [];
  try {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await context.newPage();
    page.on("requestfinished", (request) => {
      const file = new URL(request.url()).pathname;
      if (!/\.(js|css)$/.test(file)) return;
      void request.sizes().then((sizes) => downloaded.push({ file, bytes: sizes.responseBodySize }));
    });
    await page.goto(pages.shop);
    await page.locator(".card").first().waitFor();
    await page.waitForLoadState("networkidle");
    await context.close();
  } finally {
    await browser.close();
  }
  const shopBytes = downloaded.reduce((sum, entry) => sum + entry.bytes, 0);
  log(`shop first page: ${kb(shopBytes)} KB gzip JS+CSS in ${downloaded.length} files (budget ${BUDGET_KB} KB)`);
  log(`index.html entry + preloads: ${kb(entryBytes)} KB gzip`);

  const lighthouse: Record<string, Record<string, { performance: number; accessibility: number }>> = {};
  for (const [name, url] of Object.entries(pages)) {
    lighthouse[name] = {};
    for (const formFactor of ["desktop", "mobile"] as const) {
      // Each full report stays beside web.json, for the why behind a score.
      const reportPath = path.join(resultsDir, `web-lighthouse-${name}-${formFactor}.json`);
      await run(
        LIGHTHOUSE,
        [
          url,
          `--chrome-flags=${CHROME_FLAGS}`,
          "--only-categories=performance,accessibility",
          "--output=json",
          `--output-path=${reportPath}`,
          "--quiet",
          ...(formFactor === "desktop" ? ["--preset=desktop"] : []),
        ],
        { env: { ...process.env, CHROME_PATH: CHROMIUM_PATH }, maxBuffer: 64 * 1024 * 1024 },
      );
      const report = JSON.parse(await readFile(reportPath, "utf8")) as {
        categories: Record<"performance" | "accessibility", { score: number | null }>;
      };
      const score = (category: "performance" | "accessibility") =>
        Math.round((report.categories[category].score ?? 0) * 100);
      lighthouse[name][formFactor] = { performance: score("performance"), accessibility: score("accessibility") };
      log(
        `lighthouse ${name} ${formFactor}: performance ${score("performance")}, accessibility ${score("accessibility")}`,
      );
    }
  }

  const result = {
    measuredAt: new Date().toISOString(),
    shopInitialGzipKB: kb(shopBytes),
    shopInitialBudgetKB: BUDGET_KB,
    shopInitialFiles: downloaded.sort((a, b) => b.bytes - a.bytes).map((d) => ({ ...d, kb: kb(d.bytes) })),
    entryGzipKB: kb(entryBytes),
    lighthouse: Object.fromEntries(
      Object.entries(lighthouse).map(([name, byForm]) => [
        name,
        Object.fromEntries(Object.entries(byForm).map(([form, scores]) => [form, scores.performance])),
      ]),
    ),
    lighthouseAccessibility: Object.fromEntries(
      Object.entries(lighthouse).map(([name, byForm]) => [
        name,
        Object.fromEntries(Object.entries(byForm).map(([form, scores]) => [form, scores.accessibility])),
      ]),
    ),
  };
  const file = path.join(resultsDir, "web.json");
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${path.relative(process.cwd(), file)}`);
} finally {
  await stack.close();
}
