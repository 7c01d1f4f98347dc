import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** An import of another process's source: `api/src`, `indexer/src` or `web/src`, by any relative path. */
const OTHER_SOURCES = (...processes) => `(^|/)(${processes.join("|")})/src(/|$)`;
const WRONG_WAY = (process) =>
  `${process} does not import another process's source: what processes share lives in protocol/ (see the README's ` +
  "Architecture section).";
/** What protocol/ must not touch: the browser's and Node's APIs. */
const PROTOCOL_FORBIDDEN_GLOBALS = [
  "window",
  "document",
  "navigator",
  "location",
  "localStorage",
  "sessionStorage",
  "fetch",
  "XMLHttpRequest",
  "WebSocket",
  "EventSource",
  "process",
  "Buffer",
  "require",
  "__dirname",
  "__filename",
  "global",
].map((name) => ({
  name,
  message: "protocol/ is plain TypeScript: no Node or browser API, so every process can run it.",
}));
const TYPES_ONLY =
  "The web app imports the API's zod schemas (protocol/api) and zod for their types only (`import type`): the " +
  "schemas stay on the server and zod out of the shop's bundle.";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "artifacts/",
      "cache/",
      "types/",
      "coverage/",
      "protocol/generated/",
      "deploy/deployments/",
      "web/dist/",
      // The server bundles (npm run server:build).
      "build/",
      "test-artifacts/",
      // What npm run dev keeps of its run (its chain's generated contracts file among them).
      ".agridao/",
      // A Ponder project of its own, installed only when npm run bench:indexer runs it; its `ponder:*` modules are
      // typed by Ponder's codegen there, so the root's type-aware lint cannot check it.
      "bench/ponder/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["eslint.config.js"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-syntax": [
        "error",
        {
          selector:
            "CallExpression[callee.property.name=/^(only|skip)$/][callee.object.name=/^(describe|it|context)$/]",
          message: "Focused or skipped tests hide failures.",
        },
      ],
    },
  },
  // The seams between processes run one way (test/scripts/architecture-boundaries.test.ts proves each rule fires):
  // every process may import protocol/, protocol/ imports only itself, its generated file, viem and zod, and no
  // process imports another's source. The web takes protocol/api (zod schemas) and zod for their types only, so the
  // shop never downloads zod.
  {
    files: ["web/src/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: OTHER_SOURCES("api", "indexer"), message: WRONG_WAY("The web app") },
            { regex: "(^|/)protocol/api/", allowTypeImports: true, message: TYPES_ONLY },
            { regex: "^zod(/|$)", allowTypeImports: true, message: TYPES_ONLY },
          ],
        },
      ],
    },
  },
  {
    files: ["api/src/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: [{ regex: OTHER_SOURCES("indexer", "web"), message: WRONG_WAY("The API") }] },
      ],
    },
  },
  {
    files: ["indexer/src/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: [{ regex: OTHER_SOURCES("api", "web"), message: WRONG_WAY("The indexer") }] },
      ],
    },
  },
  // One block per folder depth, so that `..` leaving protocol/ is told from `..` within it.
  ...[1, 2, 3].map((depth) => ({
    files: [`protocol/${"*/".repeat(depth - 1)}*.ts`],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              // A relative path out of protocol/, or a package other than viem and zod (Node's built-ins included).
              regex: `^(\\.\\./){${depth}}|^(?!\\.|viem(/|$)|zod(/|$))`,
              message:
                "protocol/ is shared by every process, the browser's included: it imports only its own files, its " +
                "generated contracts file, viem and zod.",
            },
          ],
        },
      ],
      "no-restricted-globals": ["error", ...PROTOCOL_FORBIDDEN_GLOBALS],
    },
  })),
  {
    files: ["eslint.config.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
