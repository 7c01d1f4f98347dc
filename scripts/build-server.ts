import { builtinModules } from "node:module";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Where `npm run server:build` writes by default: what the server image copies, next to its node_modules. */
export const SERVER_BUILD_DIR = path.join(root, "build", "server");

/**
 * The server processes, by the path of their bundle (without `.js`) inside the build. The indexer's bundle sits one
 * folder below `indexer/`, as its source does, so it finds its SQL migrations at `../migrations` there too.
 */
export const SERVER_ENTRY_POINTS: Readonly<Record<string, string>> = {
  "api/dist/main": "api/src/main.ts",
  "api/dist/migrate": "api/src/migrate.ts",
  "indexer/dist/main": "indexer/src/main.ts",
};

export interface ServerBuild {
  outDir: string;
  /** The npm packages the bundles import at run time, all of them production dependencies. */
  externalPackages: string[];
}

/** A bundle imports a package that `npm ci --omit=dev` does not install, so it would fail only once deployed. */
export class ServerBuildError extends Error {
  constructor(readonly packages: string[]) {
    super(
      `the server bundles import ${packages.join(", ")}, which package.json does not list under "dependencies": ` +
        "the server image installs only those (move them there, or stop importing them from server code)",
    );
    this.name = "ServerBuildError";
  }
}

/**
 * Compiles the API, its migration command and the indexer into plain ESM bundles (one file each, with source maps),
 * so the server image runs them with `node` alone: no TypeScript loader, no dev dependency. Packages stay imports,
 * resolved from the production `node_modules` beside the build; the build refuses to finish when one of them is
 * not a production dependency. The indexer's SQL migrations are copied next to its bundle, and a package.json marks
 * the files as ES modules, so the folder runs wherever a `node_modules` is found above it.
 */
export async function buildServer(
  options: { outDir?: string; entryPoints?: Readonly<Record<string, string>> } = {},
): Promise<ServerBuild> {
  const outDir = options.outDir ?? SERVER_BUILD_DIR;
  const entryPoints = options.entryPoints ?? SERVER_ENTRY_POINTS;
  await rm(outDir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.entries(entryPoints).map(([out, source]) => ({ in: source, out })),
    outdir: outDir,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    packages: "external",
    sourcemap: true,
    metafile: true,
    logLevel: "silent",
  });
  const externalPackages = [
    ...new Set(
      Object.values(result.metafile.outputs)
        .flatMap((output) => output.imports)
        .filter((entry) => entry.external && !isBuiltin(entry.path))
        .map((entry) => packageName(entry.path)),
    ),
  ].sort();
  const { dependencies = {} } = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  const notInstalled = externalPackages.filter((name) => !(name in dependencies));
  if (notInstalled.length > 0) {
    await rm(outDir, { recursive: true, force: true });
    throw new ServerBuildError(notInstalled);
  }
  await cp(path.join(root, "indexer", "migrations"), path.join(outDir, "indexer", "migrations"), { recursive: true });
  await mkdir(outDir, { recursive: true });
  await writeFile(
    path.join(outDir, "package.json"),
    `${JSON.stringify({ name: "agridao-server", private: true, type: "module" }, null, 2)}\n`,
  );
  return { outDir, externalPackages };
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0]);
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}
