import { rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { precompressStaticFiles } from "./precompress-static-files.js";
import { ContentSecurityPolicyError, webContentSecurityPolicy } from "./web-content-security-policy.js";

// The web image's build stage, after `npm run web:build`: `tsx scripts/prepare-web-image-command.ts <dist> <csp.conf>`
// precompresses the build for nginx and writes the nginx include that sends its Content-Security-Policy, made from
// the build's own VITE_CHAIN_RPC_URL and the optional CSP_IMAGE_ORIGINS (space-separated).
const [distDir, cspFile] = process.argv.slice(2);
if (distDir === undefined || cspFile === undefined) {
  console.error("usage: tsx scripts/prepare-web-image-command.ts <web dist folder> <nginx CSP include to write>");
  process.exit(2);
}
const chainRpcUrl = process.env.VITE_CHAIN_RPC_URL;
if (chainRpcUrl === undefined || chainRpcUrl === "") {
  console.error(
    "VITE_CHAIN_RPC_URL is required for the web image: the app reads the chain through it, and the CSP allows no other RPC",
  );
  process.exit(1);
}
let policy: string;
try {
  policy = webContentSecurityPolicy({
    chainRpcUrl,
    imageOrigins: (process.env.CSP_IMAGE_ORIGINS ?? "").split(/\s+/).filter((origin) => origin !== ""),
  });
} catch (error) {
  if (!(error instanceof ContentSecurityPolicyError)) throw error;
  console.error(error.message);
  process.exit(1);
}
// Vite's manifest is for the browser tests; nothing in the app reads it, and the image does not publish it.
await rm(path.join(distDir, ".vite"), { recursive: true, force: true });
const compressed = await precompressStaticFiles(distDir);
await writeFile(cspFile, `add_header Content-Security-Policy "${policy}" always;\n`);
console.log(`Precompressed ${compressed.length} files; CSP: ${policy}`);
