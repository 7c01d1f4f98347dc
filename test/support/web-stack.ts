import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { createDiskPhotoStore } from "../../api/src/photos/photo-store.js";
import { buildWebApp } from "../../scripts/build-web.js";
import { seedCatalog } from "../../scripts/seed-catalog.js";
import { startWebServer } from "../../scripts/serve-web.js";
import type { WebServer } from "../../scripts/serve-web.js";
import { startApiApp } from "./api-app.js";
import type { ApiTestApp } from "./api-app.js";
import { startLocalStripeForApi } from "./card-payment-harness.js";
import type { LocalStripeForApi } from "./card-payment-harness.js";
import { insertEscrowTerms, installIndexerSchema } from "./cart-fixtures.js";
import { freePort } from "./free-port.js";

/** The platform fee the stack's escrow terms carry, in basis points (2.5 %). */
export const WEB_STACK_FEE_BPS = 250;

export interface WebStack {
  /** The web app's origin, e.g. http://localhost:53122: the built app, with /api forwarded to the API. */
  url: string;
  api: ApiTestApp;
  web: WebServer;
  /** The production build the web server serves. */
  distDir: string;
  /** The local Stripe the API takes card payments through (with `cardPayments: true`). */
  stripe: LocalStripeForApi | undefined;
  close(): Promise<void>;
}

let built: Promise<string> | undefined;

/** Builds the web app once per test process, into a temporary directory removed when the process exits. */
function builtWebApp(): Promise<string> {
  built ??= mkdtemp(path.join(tmpdir(), "agridao-web-")).then((dir) => {
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    return buildWebApp({ outDir: dir });
  });
  return built;
}

/**
 * The shop as a browser sees it: a real API on a fresh database seeded with the local catalog (farms, products,
 * photos) and escrow terms, and the production build of the web app served on one origin with the API.
 */
export async function startWebStack(
  options: {
    /** More API environment (a chain, a governor, a relayer key). */
    apiEnv?: Record<string, string>;
    /** False when a real indexer writes the escrow terms from the chain (default: fixed terms are inserted). */
    escrowTerms?: boolean;
    /** Card checkout through a local Stripe, which sends the browser back to this web app and its webhooks to the API. */
    cardPayments?: boolean;
  } = {},
): Promise<WebStack> {
  const [distDir, port, uploadDir, evidenceDir] = await Promise.all([
    builtWebApp(),
    freePort(),
    mkdtemp(path.join(tmpdir(), "agridao-web-uploads-")),
    mkdtemp(path.join(tmpdir(), "agridao-web-evidence-")),
  ]);
  const origin = `http://localhost:${port}`;
  const stripe = options.cardPayments === true ? await startLocalStripeForApi() : undefined;
  const api = await startApiApp({
    env: {
      UPLOAD_DIR: uploadDir,
      EVIDENCE_DIR: evidenceDir,
      PUBLIC_WEB_ORIGIN: origin,
      LOG_LEVEL: "warn",
      ...stripe?.apiEnv(origin),
      ...options.apiEnv,
    },
  });
  stripe?.deliverTo(api.url);
  await seedCatalog({ orm: api.orm, photoStore: createDiskPhotoStore({ dir: uploadDir }), currency: "USD" });
  await installIndexerSchema(api.database.pool);
  if (options.escrowTerms !== false) {
    await insertEscrowTerms(api.database.pool, { chainId: 31337, firstOrderId: 1, feeBps: WEB_STACK_FEE_BPS });
  }
  const web = await startWebServer({ distDir, apiUrl: api.url, host: "localhost", port });
  return {
    url: origin,
    api,
    web,
    distDir,
    stripe,
    async close() {
      await web.close();
      await stripe?.local.waitForWebhooksIdle(5_000).catch(() => undefined);
      await api.close();
      await stripe?.local.close();
      await rm(uploadDir, { recursive: true, force: true });
      await rm(evidenceDir, { recursive: true, force: true });
    },
  };
}
