import path from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "vite";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The Vite config of the web app. */
export const WEB_CONFIG_FILE = path.join(root, "web", "vite.config.ts");

/** Builds the web app for production into `outDir` (web/dist by default), as `npm run web:build` does. */
export async function buildWebApp({ outDir = path.join(root, "web", "dist") } = {}): Promise<string> {
  await build({ configFile: WEB_CONFIG_FILE, logLevel: "warn", build: { outDir, emptyOutDir: true } });
  return outDir;
}
