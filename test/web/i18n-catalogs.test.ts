import { readFile, readdir } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";

const SOURCE_DIR = path.resolve("web/src");
const CATALOG_DIR = path.join(SOURCE_DIR, "i18n");
// i18next picks `key_one`, `key_other`, ... by the language's plural rules; the code names the bare key.
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** Every leaf of a nested catalog as a dotted key. */
function flatten(catalog: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(catalog).flatMap(([key, value]) =>
    typeof value === "object" && value !== null
      ? flatten(value as Record<string, unknown>, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  );
}

async function catalogKeys(language: string): Promise<string[]> {
  return flatten(
    JSON.parse(await readFile(path.join(CATALOG_DIR, `${language}.json`), "utf8")) as Record<string, unknown>,
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
});
