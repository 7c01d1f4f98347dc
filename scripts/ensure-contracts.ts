import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { generatedContractsState } from "./contracts-fingerprint.js";

// The `pre` step of every npm script that imports protocol/generated/contracts.ts (the API, the indexer, the web app,
// the benchmarks): a fresh clone has no such file until the contracts are compiled. Compiles them and regenerates the
// file, as `npm run build` does, only when it is missing or was made from other sources or deployments than the
// current ones; otherwise it does nothing, in well under a second.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const state = await generatedContractsState();
if (state !== "up to date") {
  console.log(`protocol/generated/contracts.ts is ${state}: compiling the contracts and regenerating it…`);
  const hardhatPackage = path.join(root, "node_modules", "hardhat");
  const { bin } = JSON.parse(await readFile(path.join(hardhatPackage, "package.json"), "utf8")) as {
    bin: { hardhat: string };
  };
  const child = spawn(process.execPath, [path.join(hardhatPackage, bin.hardhat), "run", "scripts/build-contracts.ts"], {
    cwd: root,
    stdio: "inherit",
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code !== 0) {
    console.error(`Building the contracts failed (exit code ${code}); \`npm run build\` fails the same way.`);
    process.exit(code ?? 1);
  }
}
