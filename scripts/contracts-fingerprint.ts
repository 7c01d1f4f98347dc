import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { readDeployments } from "./export-contracts.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** What the generated file is made from, besides the deployments: the Solidity, the compiler settings, the exporter. */
const SOURCES = [
  "contracts",
  "hardhat.config.ts",
  "deploy/local.ts",
  "protocol/local-chain-id.ts",
  "scripts/build-contracts.ts",
  "scripts/contract-definitions.ts",
  "scripts/export-contracts.ts",
  "scripts/read-contract-constants.ts",
  "scripts/read-contract-enums.ts",
];

/** Where `npm run build` records the fingerprint of what it made protocol/generated/contracts.ts from. */
export function fingerprintFile(root = REPO_ROOT): string {
  return path.join(root, "protocol", "generated", "contracts.fingerprint");
}

/**
 * A hash of everything `npm run build` makes protocol/generated/contracts.ts from: the contract sources, the compiler
 * settings and the exporter, and the deployments it exports (the local chain's are never exported, so a test's node
 * or `npm run dev` coming and going does not change it). Contents, not modification times, so a fresh clone, a
 * checkout or a `touch` tells nothing apart that is not.
 */
export async function contractsFingerprint(root = REPO_ROOT): Promise<string> {
  const hash = createHash("sha256");
  for (const file of (await Promise.all(SOURCES.map((source) => filesUnder(path.join(root, source))))).flat()) {
    hash.update(`${path.relative(root, file)}\0`);
    hash.update(await readFile(file));
    hash.update("\0");
  }
  const deployments = await readDeployments(path.join(root, "deploy", "deployments"), { localChain: false });
  hash.update(JSON.stringify(deployments));
  return hash.digest("hex");
}

/** Whether protocol/generated/contracts.ts exists and `npm run build` made it from the current sources and deployments. */
export async function generatedContractsState(root = REPO_ROOT): Promise<"missing" | "out of date" | "up to date"> {
  if (!existsSync(path.join(root, "protocol", "generated", "contracts.ts"))) return "missing";
  const recorded = existsSync(fingerprintFile(root)) ? (await readFile(fingerprintFile(root), "utf8")).trim() : "";
  return recorded === (await contractsFingerprint(root)) ? "up to date" : "out of date";
}

/** The files at `file`: itself, every file under it when it is a directory, none when it does not exist. */
async function filesUnder(file: string): Promise<string[]> {
  const found = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (found === undefined) return [];
  if (!found.isDirectory()) return [file];
  const names = (await readdir(file)).sort();
  return (await Promise.all(names.map((name) => filesUnder(path.join(file, name))))).flat();
}
