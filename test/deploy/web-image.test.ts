import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { chmod, cp, mkdir, mkdtemp, open, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

import { expect } from "chai";
import type { Browser } from "playwright-core";

import { waitFor } from "../../bench/wait-for.js";
import { webContentSecurityPolicy } from "../../scripts/web-content-security-policy.js";
import { launchBrowser, saveScreenshot } from "../support/browser.js";
import { freePort } from "../support/free-port.js";
import { createSignedInUser, notifyShipped } from "../support/notification-fixtures.js";
import { startWebStack } from "../support/web-stack.js";
import type { WebStack } from "../support/web-stack.js";
import { within } from "../support/within.js";

const NGINX_CONFIG_DIR = path.resolve("deploy", "docker", "web");
// What web.Dockerfile's build gives the test stack's build: its chain is the local one.
const CHAIN_RPC_URL = "http://127.0.0.1:8545";

/** `text` with `from` replaced by `to`, which must occur in it exactly `times` times (so a changed config fails loudly). */
function replaceExactly(text: string, from: string, to: string, times = 1): string {
  const found = text.split(from).length - 1;
  if (found !== times) throw new Error(`expected "${from}" ${times} time(s) in the nginx config, found ${found}`);
  return text.replaceAll(from, to);
}

/** Runs `node args` to its end, rejecting with its output when it fails. */
function runNode(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve(output) : reject(new Error(`exit ${code}:\n${output}`))));
  });
}

describe("web image: nginx serving the production build", function () {
  this.timeout(180_000);

  let stack: WebStack;
  let browser: Browser;
  let dir: string;
  let nginx: ChildProcess;
  let nginxOutput = "";
  let accessLog: string;
  let url: string;

  before(async () => {
    [stack, browser, dir] = await Promise.all([
      startWebStack({ apiEnv: { SSE_HEARTBEAT_SECONDS: "1" } }),
      launchBrowser(),
      mkdtemp(path.join(tmpdir(), "agridao-web-image-")),
    ]);
    // The image's files, as web.Dockerfile lays them out: the build, prepared by the same command, and the config.
    const html = path.join(dir, "html");
    await cp(stack.distDir, html, { recursive: true });
    await runNode(
      ["--import", "tsx", "scripts/prepare-web-image-command.ts", html, path.join(dir, "content-security-policy.conf")],
      { VITE_CHAIN_RPC_URL: CHAIN_RPC_URL },
    );
    for (const file of await readdir(NGINX_CONFIG_DIR)) {
      if (file.endsWith(".conf")) await cp(path.join(NGINX_CONFIG_DIR, file), path.join(dir, file));
    }
    // Only the addresses differ from the image: a free port, this folder, the test stack's API.
    const port = await freePort();
    const apiPort = new URL(stack.api.url).port;
    let config = await readFile(path.join(dir, "nginx.conf"), "utf8");
    await mkdir(path.join(dir, "run"));
    config = replaceExactly(config, " /tmp/", ` ${path.join(dir, "run")}/`, 6);
    config = replaceExactly(config, "listen 8080;", `listen 127.0.0.1:${port};`);
    config = replaceExactly(config, "root /usr/share/nginx/html;", `root ${html};`);
    config = replaceExactly(config, "set $api http://api:4000;", `set $api http://127.0.0.1:${apiPort};`);
    await writeFile(path.join(dir, "nginx.conf"), config);
    // Run as root (CI), nginx's workers run as nobody, who must be able to read the build (mkdtemp made it private).
    await chmod(dir, 0o755);
    for (const entry of await readdir(html, { recursive: true, withFileTypes: true })) {
      if (entry.isDirectory()) await chmod(path.join(entry.parentPath, entry.name), 0o755);
    }
    await chmod(html, 0o755);

    // Its access log goes to /dev/stdout, which nginx opens by name: a file here, a pipe in a container (a socket,
    // what a pipe to a child of Node is, cannot be opened so).
    accessLog = path.join(dir, "access.log");
    const stdout = await open(accessLog, "w");
    nginx = spawn("nginx", ["-e", "stderr", "-c", path.join(dir, "nginx.conf"), "-g", "daemon off;"], {
      stdio: ["ignore", stdout.fd, "pipe"],
    });
    await stdout.close();
    nginx.stderr?.on("data", (chunk: Buffer) => (nginxOutput += chunk.toString()));
    nginx.once("error", (error) => (nginxOutput += `\n${error.message} (install nginx: apt-get install nginx)`));
    url = `http://127.0.0.1:${port}`;
    await waitFor("nginx", async () => ((await fetch(`${url}/index.html`)).ok ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 50,
    }).catch((error: unknown) => {
      throw new Error(`nginx did not start: ${(error as Error).message}\n${nginxOutput}`, { cause: error });
    });
  });

  after(async () => {
    if (nginx !== undefined && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx.once("exit", resolve));
      nginx.kill("SIGQUIT");
      await exited;
    }
    await browser?.close();
    await stack?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const assetFiles = async (extension: string) =>
    (await readdir(path.join(dir, "html", "assets"))).filter((file) => file.endsWith(extension));

  const expectSecurityHeaders = (response: Response) => {
    expect(response.headers.get("content-security-policy")).to.equal(
      webContentSecurityPolicy({ chainRpcUrl: CHAIN_RPC_URL }),
    );
    expect(response.headers.get("x-content-type-options")).to.equal("nosniff");
    expect(response.headers.get("x-frame-options")).to.equal("DENY");
    expect(response.headers.get("referrer-policy")).to.equal("strict-origin-when-cross-origin");
    expect(response.headers.get("strict-transport-security")).to.contain("max-age=31536000");
  };

  it("answers the app's routes with index.html, revalidated on every visit, with the security headers", async () => {
    for (const route of ["/", "/shop", "/orders/0b1c", "/governance/proposals/new"]) {
      const response = await fetch(`${url}${route}`);
      expect(response.status, route).to.equal(200);
      expect(response.headers.get("content-type")).to.contain("text/html");
      expect(response.headers.get("cache-control")).to.equal("no-cache");
      expectSecurityHeaders(response);
      expect(await response.text()).to.contain('<div id="root"></div>');
    }
    expect(nginxOutput).to.not.contain("[emerg]");
    // One JSON line per request, like the API's logs.
    const lines = (await readFile(accessLog, "utf8")).trim().split("\n");
    expect(JSON.parse(lines.at(-1)!)).to.include({ method: "GET", uri: "/governance/proposals/new", status: 200 });
  });

  it("caches hashed assets for a year, and answers a missing one with 404 rather than index.html", async () => {
    const [script] = await assetFiles(".js");
    const response = await fetch(`${url}/assets/${script}`);
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.contain("javascript");
    expect(response.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
    expectSecurityHeaders(response);
    const missing = await fetch(`${url}/assets/index-0000000.js`);
    expect(missing.status).to.equal(404);
    expect((await fetch(`${url}/.vite/manifest.json`)).status).to.equal(404);
  });

  it("serves the build's own Brotli and gzip files to browsers that accept them", async () => {
    const [script] = (await assetFiles(".js.br")).map((file) => file.replace(/\.br$/, ""));
    const original = await readFile(path.join(dir, "html", "assets", script));
    const br = await rawGet(`${url}/assets/${script}`, "br");
    expect(br.headers["content-encoding"]).to.equal("br");
    expect(br.headers.vary).to.contain("Accept-Encoding");
    expect(br.body.equals(await readFile(path.join(dir, "html", "assets", `${script}.br`)))).to.equal(true);
    expect(brotliDecompressSync(br.body).equals(original)).to.equal(true);
    const gz = await rawGet(`${url}/assets/${script}`, "gzip");
    expect(gz.headers["content-encoding"]).to.equal("gzip");
    expect(gunzipSync(gz.body).equals(original)).to.equal(true);
    const identity = await rawGet(`${url}/assets/${script}`, "identity");
    expect(identity.headers["content-encoding"]).to.equal(undefined);
    expect(identity.body.equals(original)).to.equal(true);
  });

  it("forwards /api to the API, whose own headers it leaves alone", async () => {
    const response = await fetch(`${url}/api/products?limit=2`);
    expect(response.status).to.equal(200);
    expect(((await response.json()) as { products: unknown[] }).products).to.have.lengthOf(2);
    expect(response.headers.get("x-request-id")).to.be.a("string");
    expect(response.headers.get("content-security-policy")).to.equal(
      (await stack.api.request("/api/products?limit=2")).headers.get("content-security-policy"),
    );
    // The API's answer, in its error shape, not the app's index.html.
    const unknown = await fetch(`${url}/api/no-such-route`);
    expect(unknown.status).to.equal(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).to.be.a("string");
  });

  it("passes /api/events through as the API writes it: a notification arrives at once, and the stream stays open", async () => {
    const user = await createSignedInUser(stack.api);
    const controller = new AbortController();
    const response = await fetch(`${url}/api/events`, {
      headers: { authorization: `Bearer ${user.token}` },
      signal: controller.signal,
    });
    try {
      expect(response.status).to.equal(200);
      expect(response.headers.get("content-type")).to.contain("text/event-stream");
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let received = "";
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(received)) {
          const { value, done } = await reader.read();
          expect(done, `the stream ended after: ${received}`).to.equal(false);
          received += decoder.decode(value, { stream: true });
        }
      };
      // A heartbeat every second (SSE_HEARTBEAT_SECONDS=1) shows the stream is flowing through nginx.
      await within(readUntil(/^: heartbeat$/m), 5_000, "a heartbeat through nginx");
      const orderId = await notifyShipped(stack.api.live.notifications, stack.api, user.id);
      await within(readUntil(/^event: notification$/m), 5_000, "the notification through nginx");
      expect(received).to.contain(orderId);
      received = "";
      await within(readUntil(/^: heartbeat$/m), 5_000, "a heartbeat after the notification");
    } finally {
      controller.abort();
    }
  });

  it("lets the shop and the wallet's sign-in page work under its Content-Security-Policy", async function () {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (message.text().includes("Content Security Policy")) violations.push(message.text());
    });
    try {
      await page.goto(`${url}/shop`);
      await page.locator(".card").first().waitFor();
      const photo = page.locator(".card img").first();
      await photo.waitFor();
      await waitFor(
        "a product photo to load",
        async () =>
          (await photo.evaluate((image: { naturalWidth: number }) => image.naturalWidth)) > 0 ? true : undefined,
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      // The wallet stack: RainbowKit writes its theme into a <style> element and shows the wallets' data: icons.
      await page.goto(`${url}/sign-in/wallet`);
      await page.getByRole("button", { name: "Connect Wallet" }).click();
      await page.getByText("Burner wallet (local chain)").waitFor();
      expect(violations).to.deep.equal([]);
    } catch (error) {
      console.log(`    screenshot: ${await saveScreenshot(page, this.test!.fullTitle())}`);
      throw error;
    } finally {
      await context.close();
    }
  });
});

/** A GET whose body is read as sent (fetch would decode it), with `accept-encoding` as given. */
function rawGet(target: string, encoding: string) {
  return new Promise<{ headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
    request(target, { headers: { "accept-encoding": encoding } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ headers: response.headers as Record<string, string>, body: Buffer.concat(chunks) }),
      );
      response.on("error", reject);
    })
      .on("error", reject)
      .end();
  });
}

describe("prepare-web-image-command (the web image's build step)", () => {
  const prepare = async (env: Record<string, string>) => {
    const dir = await mkdtemp(path.join(tmpdir(), "agridao-web-prepare-"));
    try {
      const environment = { ...process.env, ...env };
      if (!("VITE_CHAIN_RPC_URL" in env)) delete environment.VITE_CHAIN_RPC_URL;
      return await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", "scripts/prepare-web-image-command.ts", dir, path.join(dir, "csp.conf")],
          { env: environment, stdio: ["ignore", "pipe", "pipe"] },
        );
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.once("error", reject);
        child.once("close", (code) => resolve({ code, output }));
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it("refuses to make a CSP without the build's chain RPC, or with one a browser could not be allowed", async () => {
    const missing = await prepare({});
    expect(missing.code).to.equal(1);
    expect(missing.output).to.contain("VITE_CHAIN_RPC_URL is required");
    const notHttp = await prepare({ VITE_CHAIN_RPC_URL: "wss://rpc.example.org" });
    expect(notHttp.code).to.equal(1);
    expect(notHttp.output).to.contain('VITE_CHAIN_RPC_URL: "wss://rpc.example.org" is not an http(s) URL');
    const badImages = await prepare({ VITE_CHAIN_RPC_URL: "https://rpc.example.org", CSP_IMAGE_ORIGINS: "cdn" });
    expect(badImages.code).to.equal(1);
    expect(badImages.output).to.contain('the photo origins: "cdn" is not a URL');
  });

  it("allows the RPC's and the photo CDN's origins, not their paths", () => {
    expect(
      webContentSecurityPolicy({
        chainRpcUrl: "https://base.example.org/v2/key",
        imageOrigins: ["https://cdn.example.org/photos/"],
      }),
    )
      .to.contain("connect-src 'self' https://base.example.org;")
      .and.contain("img-src 'self' data: blob: https://cdn.example.org;");
  });
});
