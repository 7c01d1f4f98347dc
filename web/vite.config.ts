import { readFile } from "node:fs/promises";
import path from "node:path";

import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import type { Plugin } from "vite";

// Where `npm run web:dev` forwards /api: the API of `npm run dev` unless AGRIDAO_API_URL says otherwise.
const apiUrl = process.env.AGRIDAO_API_URL ?? "http://127.0.0.1:4000";

/**
 * Leaves the named top-level sections of the translation catalogs out of what the app imports (but for the keys
 * listed, which the shell needs), and serves each whole as `./en.json?section=<name>`: those strings travel with the
 * lazy pages that use them, not with the shop.
 */
function lazyCatalogSections(sections: Readonly<Record<string, readonly string[]>>): Plugin {
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
      for (const [name, kept] of Object.entries(sections)) {
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

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), lazyCatalogSections({ governance: ["nav"] }), rainbowKitBengali()],
  // The dev server pre-bundles dependencies without the plugins above: RainbowKit needs its Bengali there too.
  optimizeDeps: { rolldownOptions: { plugins: [rainbowKitBengali()] } },
  // The generated contract file lives outside web/; the dev server must be allowed to serve it.
  server: {
    host: "localhost",
    port: 5173,
    strictPort: true,
    fs: { allow: [".."] },
    proxy: { "/api": { target: apiUrl, changeOrigin: false } },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    // Read by the browser tests to tell the wallet page's chunks from the shop's.
    manifest: true,
    // Only the lazily loaded wallet page (wagmi, RainbowKit, viem) comes near this; the shop's chunks are far below.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        // The libraries every page needs go into one chunk: one request and one gzip stream instead of a dozen
        // small ones. The wallet stack stays out of it, in the wallet page's own chunks.
        codeSplitting: {
          groups: [
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
