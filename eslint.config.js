import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "artifacts/",
      "cache/",
      "types/",
      "coverage/",
      "deploy/generated/",
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
  {
    files: ["eslint.config.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
