import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { expect } from "chai";

const SOURCE_DIR = path.resolve("web/src");
const CATALOG_DIR = path.join(SOURCE_DIR, "i18n");
// i18next picks `key_one`, `key_other`, ... by the language's plural rules; the code names the bare key.
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** Every leaf of a nested catalog: its dotted key and its text. */
function leaves(catalog: Record<string, unknown>, prefix = ""): [string, string][] {
  return Object.entries(catalog).flatMap(([key, value]): [string, string][] =>
    typeof value === "object" && value !== null
      ? leaves(value as Record<string, unknown>, `${prefix}${key}.`)
      : [[`${prefix}${key}`, String(value)]],
  );
}

async function catalogKeys(language: string): Promise<string[]> {
  return leaves(
    JSON.parse(await readFile(path.join(CATALOG_DIR, `${language}.json`), "utf8")) as Record<string, unknown>,
  ).map(([key]) => key);
}

/** RainbowKit's own English strings, as its locale loader hands them over (JSON text in a hashed chunk). */
async function rainbowKitEnglish(): Promise<Record<string, unknown>> {
  const dist = path.resolve("node_modules/@rainbow-me/rainbowkit/dist");
  const chunk = (await readdir(dist)).find((file) => /^en_US-[A-Z0-9]+\.js$/.test(file));
  expect(chunk, "RainbowKit's English locale chunk").to.be.a("string");
  const loaded = (await import(pathToFileURL(path.join(dist, chunk!)).href)) as { default: string };
  return JSON.parse(loaded.default) as Record<string, unknown>;
}

/** The `%{name}` placeholders of every string of a nested catalog, by dotted key. */
function placeholders(catalog: Record<string, unknown>): Record<string, string[]> {
  return Object.fromEntries(
    leaves(catalog).map(([key, text]) => [key, [...text.matchAll(/%\{(\w+)\}/g)].map((match) => match[1]).sort()]),
  );
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(file);
      return /\.tsx?$/.test(entry.name) ? [file] : [];
    }),
  );
  return nested.flat();
}

/** The keys the code passes to t("..."), and every string literal that looks like a key (lookup tables). */
async function keysInCode(): Promise<{ called: Set<string>; literals: Set<string> }> {
  const called = new Set<string>();
  const literals = new Set<string>();
  for (const file of await sourceFiles(SOURCE_DIR)) {
    const text = await readFile(file, "utf8");
    for (const match of text.matchAll(/\bt\(\s*"([^"]+)"/g)) called.add(match[1]);
    for (const match of text.matchAll(/"([a-zA-Z]+(?:\.[a-zA-Z0-9_]+)+)"/g)) literals.add(match[1]);
  }
  return { called, literals };
}

describe("Web translation catalogs", function () {
  it("English and Bengali have exactly the same keys", async function () {
    const [en, bn] = await Promise.all([catalogKeys("en"), catalogKeys("bn")]);
    expect(
      bn.filter((key) => !en.includes(key)),
      "keys only in bn.json",
    ).to.deep.equal([]);
    expect(
      en.filter((key) => !bn.includes(key)),
      "keys only in en.json",
    ).to.deep.equal([]);
  });

  it("has an entry for every key the code translates", async function () {
    const catalog = new Set((await catalogKeys("en")).map((key) => key.replace(PLURAL_SUFFIX, "")));
    const { called } = await keysInCode();
    expect(called.size).to.be.greaterThan(50);
    expect(
      [...called].filter((key) => !catalog.has(key)),
      "keys used in code but missing from the catalogs",
    ).to.deep.equal([]);
  });

  it("uses every key of the catalogs", async function () {
    const { called, literals } = await keysInCode();
    const unused = (await catalogKeys("en")).filter((key) => {
      const bare = key.replace(PLURAL_SUFFIX, "");
      return !called.has(bare) && !literals.has(bare);
    });
    expect(unused, "keys in the catalogs that no code uses").to.deep.equal([]);
  });

  it("translates lookup-table keys too (categories, units, sorts, cart problems)", async function () {
    const catalog = new Set((await catalogKeys("bn")).map((key) => key.replace(PLURAL_SUFFIX, "")));
    const { literals } = await keysInCode();
    const tableKeys = [...literals].filter((key) => /^(category|unit|shop\.sort|cart\.problem|wallet)\./.test(key));
    expect(tableKeys.length).to.be.greaterThan(25);
    expect(tableKeys.filter((key) => !catalog.has(key))).to.deep.equal([]);
  });

  // RainbowKit has no Bengali of its own; the build adds ours to its locale loader (web/vite.config.ts).
  it("translates every string of RainbowKit's wallet dialogs into Bengali, with the same placeholders", async function () {
    const english = await rainbowKitEnglish();
    // The install guides of the dozens of wallets RainbowKit knows: we list none of them (wagmi-config.ts).
    delete english.wallet_connectors;
    const bengali = JSON.parse(await readFile(path.join(CATALOG_DIR, "rainbowkit-bn.json"), "utf8")) as Record<
      string,
      unknown
    >;
    const [en, bn] = [placeholders(english), placeholders(bengali)];
    expect(Object.keys(en).length).to.be.greaterThan(80);
    expect(
      Object.keys(bn).filter((key) => !(key in en)),
      "keys RainbowKit does not have",
    ).to.deep.equal([]);
    expect(
      Object.keys(en).filter((key) => !(key in bn)),
      "RainbowKit keys missing in Bengali",
    ).to.deep.equal([]);
    expect(bn, "placeholders per key").to.deep.equal(en);
  });
});
