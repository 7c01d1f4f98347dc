import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

// Text worth compressing; images and fonts are compressed already.
const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".json", ".svg", ".txt", ".xml", ".wasm"]);

// Below this a compressed body saves less than its headers cost.
const MIN_SIZE = 1024;

/**
 * Writes `<file>.br` (Brotli, best quality) and `<file>.gz` (gzip, level 9) beside every text file of `dir` worth
 * compressing, for nginx's brotli_static and gzip_static: the build compresses once at the highest levels instead of
 * nginx compressing each response at a level cheap enough to do per request. Returns the files compressed.
 */
export async function precompressStaticFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && COMPRESSIBLE.has(path.extname(entry.name)))
    .map((entry) => path.join(entry.parentPath, entry.name));
  const compressed: string[] = [];
  for (const file of files) {
    const body = await readFile(file);
    if (body.length < MIN_SIZE) continue;
    const [br, gz] = await Promise.all([
      brotli(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      }),
      gzipAsync(body, { level: 9 }),
    ]);
    await Promise.all([writeFile(`${file}.br`, br), writeFile(`${file}.gz`, gz)]);
    compressed.push(path.relative(dir, file));
  }
  return compressed.sort();
}
