import { readFile } from "node:fs/promises";
import path from "node:path";

import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import type { Plugin } from "vite";

// Where `npm run web:dev` forwards /api: the API of `npm run dev` unless AGRIDAO_API_URL says otherwise.
const apiUrl = process.env.AGRIDAO_API_URL ?? "http://127.0.0.1:4000";

// A contracts file made by scripts/export-contracts.ts to build or serve the app against instead of
// protocol/generated/contracts.ts: the addresses of a chain of its own (the dev stack's, a browser test's node).
const contractsFile =
  process.env.AGRIDAO_CONTRACTS_FILE === undefined ? undefined : path.resolve(process.env.AGRIDAO_CONTRACTS_FILE);

const GENERATED_CONTRACTS = path.join(import.meta.dirname, "..", "protocol", "generated", "contracts");

/**
 * Hands `file` to every module that imports protocol/generated/contracts.ts, the web app's own and protocol/'s alike,
 * by whatever relative path and with or without its `.js` ending.
 */
function contractsFileInstead(file: string): Plugin {
  return {
    name: "agridao-contracts-file",
    enforce: "pre",
    resolveId(source, importer) {
      if (importer === undefined || !source.startsWith(".")) return null;
      const target = path.resolve(path.dirname(importer.split("?")[0]), source).replace(/\.(js|ts)$/, "");
      return target === GENERATED_CONTRACTS ? file : null;
    },
  };
}

/**
 * Leaves the named top-level sections of each translation catalog (by its name: `en`, `bn`) out of what the app
 * imports (but for the keys listed, which the shell needs), and serves each whole as `./en.json?section=<name>`: those
 * strings travel with the lazy pages that use them, not with the shop.
 */
function lazyCatalogSections(byCatalog: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>): Plugin {
  return {
    name: "agridao-lazy-catalog-sections",
    enforce: "pre",
    async load(id) {
      const [file, query = ""] = id.split("?");
      if (!/[\\/]i18n[\\/][a-z]+\.json$/.test(file)) return null;
      this.addWatchFile(file);
      const catalog = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
      const section = new URLSearchParams(query).get("section");
      // Other queries (`?raw` for the whole catalog) are Vite's own: left to it, they see every section.
      if (query !== "" && section === null) return null;
      // With a query the JSON plugin stands aside: the section is served as the module it would have made.
      if (section !== null) return `export default ${JSON.stringify({ [section]: catalog[section] })};`;
      for (const [name, kept] of Object.entries(byCatalog[path.basename(file, ".json")] ?? {})) {
        const whole = (catalog[name] ?? {}) as Record<string, unknown>;
        catalog[name] = Object.fromEntries(kept.map((key) => [key, whole[key]]));
      }
      return JSON.stringify(catalog);
    },
  };
}

// RainbowKit 2 loads its strings per locale through one switch, and Bengali is not among its cases; without this its
// wallet dialogs stay English on a Bengali page. Our translation is web/src/i18n/rainbowkit-bn.json.
const CATALOG = path.join(import.meta.dirname, "src", "i18n", "rainbowkit-bn.json");
const RAINBOWKIT_ENTRY = /[\\/]@rainbow-me[\\/]rainbowkit[\\/]dist[\\/]index\.js$/;
const LOCALE_SWITCH = "var fetchTranslations = async (locale) => {\n  switch (locale) {";

/**
 * Teaches RainbowKit's locale loader `bn`: its Bengali strings come, like its own locales, in a chunk of their own
 * that only a Bengali page fetches. Used for the build and for the dev server's dependency pre-bundling alike (which
 * does not run the app's plugins), and fails loudly when an upgraded RainbowKit no longer has the switch it extends.
 */
function rainbowKitBengali(): Plugin {
  return {
    name: "agridao-rainbowkit-bengali",
    transform(code, id) {
      if (!RAINBOWKIT_ENTRY.test(id.split("?")[0])) return null;
      if (!code.includes(LOCALE_SWITCH)) {
        this.error(
          "RainbowKit's locale loader (fetchTranslations) has changed shape: rainbowKitBengali in web/vite.config.ts " +
            "can no longer add Bengali to it; adapt it to the installed @rainbow-me/rainbowkit.",
        );
      }
      // The loader hands back JSON text (RainbowKit parses it), so the imported catalog goes back to text.
      const bengali = [
        '    case "bn":',
        '    case "bn-BD":',
        `      return JSON.stringify((await import(${JSON.stringify(CATALOG)})).default);`,
      ].join("\n");
      return { code: code.replace(LOCALE_SWITCH, () => `${LOCALE_SWITCH}\n${bengali}`), map: null };
    },
  };
}

const APP_MODULE = path.join(import.meta.dirname, "src", "app.tsx");

/**
 * The entry (main.tsx) only starts the first page's chunk and reads, then imports the app: this lists the app and the
 * chunks it imports in index.html as module preloads, so the app downloads alongside the entry, not after it runs.
 */
function preloadApp(): Plugin {
  return {
    name: "agridao-preload-app",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(html, { bundle }) {
        if (bundle === undefined) return html;
        const app = Object.values(bundle).find(
          (output) => output.type === "chunk" && output.facadeModuleId === APP_MODULE,
        );
        if (app === undefined || app.type !== "chunk") {
          throw new Error(`preloadApp (web/vite.config.ts): no chunk of ${APP_MODULE} in the build`);
        }
        const files: string[] = [];
        const visit = (file: string) => {
          if (files.includes(file)) return;
          files.push(file);
          const output = bundle[file];
          if (output?.type === "chunk") output.imports.forEach(visit);
        };
        visit(app.fileName);
        return files
          .filter((file) => !html.includes(`/${file}"`))
          .map((file) => ({
            tag: "link",
            attrs: { rel: "modulepreload", crossorigin: true, href: `/${file}` },
            injectTo: "head" as const,
          }));
      },
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [
    react(),
    lazyCatalogSections({
      // English ships with the app. The cart page's strings come with the rest of English (but for the errors, which
      // adding to the cart shows on any page), and governance's with its own pages.
      en: { governance: ["nav"], cart: ["error"] },
      // Bengali is fetched whole, but for governance, whose pages load their section themselves.
      bn: { governance: ["nav"] },
    }),
    rainbowKitBengali(),
    preloadApp(),
    ...(contractsFile === undefined ? [] : [contractsFileInstead(contractsFile)]),
  ],
  // The dev server pre-bundles dependencies without the plugins above: RainbowKit needs its Bengali there too.
  optimizeDeps: { rolldownOptions: { plugins: [rainbowKitBengali()] } },
  // protocol/ (the generated contracts file with it) lives outside web/, and AGRIDAO_CONTRACTS_FILE anywhere: the dev
  // server must be allowed to serve them.
  server: {
    host: "localhost",
    port: 5173,
    strictPort: true,
    fs: { allow: ["..", ...(contractsFile === undefined ? [] : [path.dirname(contractsFile)])] },
    proxy: { "/api": { target: apiUrl, changeOrigin: false } },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    // Read by the browser tests to tell the wallet page's chunks from the shop's.
    manifest: true,
    // Every browser the target (es2022) covers preloads modules itself, but Safari before 17, which then only loads
    // them a little later: not worth the polyfill's bytes in every page's entry.
    modulePreload: { polyfill: false },
    // Only the lazily loaded wallet page (wagmi, RainbowKit, viem) comes near this; the shop's chunks are far below.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        // The libraries every page needs go into one chunk: one request and one gzip stream instead of a dozen
        // small ones. The wallet stack stays out of it, in the wallet page's own chunks.
        codeSplitting: {
          groups: [
            // What the entry runs before the app has arrived (first-page.ts and what it reads with), in one request.
            {
              name: "first-page",
              test: /web[\\/]src[\\/](first-page|api[\\/](early-reads|request-json|api-error|catalog-paths)|shop[\\/]page-reads|i18n[\\/](formatters|language|minor-units))\.ts$/,
            },
            {
              name: "shell",
              test: /node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack|i18next|react-i18next)[\\/]/,
            },
          ],
        },
      },
    },
  },
});
