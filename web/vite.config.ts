import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Where `npm run web:dev` forwards /api: the API of `npm run dev` unless AGRIDAO_API_URL says otherwise.
const apiUrl = process.env.AGRIDAO_API_URL ?? "http://127.0.0.1:4000";

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
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
