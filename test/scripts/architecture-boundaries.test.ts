import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

// The repository's own eslint.config.js, without type information: the boundary rules read import paths only, and a
// type-aware parse of files that are not on disk would need a project for each.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [{ files: ["**/*.{ts,tsx}"], ...tseslint.configs.disableTypeChecked }],
});

/** The boundary rules `code` breaks at `file` (a path in the repository; the file need not exist). */
async function boundaryViolations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  const fatal = result.messages.filter((message) => message.fatal === true);
  expect(fatal, `${file} did not parse`).to.deep.equal([]);
  return result.messages
    .filter((message) =>
      ["@typescript-eslint/no-restricted-imports", "no-restricted-globals"].includes(message.ruleId!),
    )
    .map((message) => message.ruleId!);
}

describe("architecture boundaries (ESLint refuses the wrong-way imports between processes)", () => {
  it("refuses the web app an import of the API's or the indexer's source, and of protocol/api other than its types", async () => {
    const file = "web/src/shop/boundary-check.ts";
    expect(await boundaryViolations(file, 'export { createApp } from "../../../api/src/app";\n')).to.have.length(1);
    expect(
      await boundaryViolations(file, 'import { runIndexer } from "../../../indexer/src/run";\nrunIndexer;\n'),
    ).to.have.length(1);
    expect(
      await boundaryViolations(file, 'import { cartView } from "../../../protocol/api/cart";\ncartView;\n'),
    ).to.have.length(1);
    expect(await boundaryViolations(file, 'import { z } from "zod";\nz;\n')).to.have.length(1);
    // The right way: protocol/'s code, and the API's schemas and zod as types.
    const allowed = [
      'import { escrowCalls } from "../../../protocol/escrow/escrow-calls";',
      'import type { Cart } from "../../../protocol/api/cart";',
      'import type { z } from "zod";',
      'import { requestJson } from "../api/request-json";',
      "export type Used = [typeof escrowCalls, Cart, z.ZodType, typeof requestJson];",
    ].join("\n");
    expect(await boundaryViolations(file, `${allowed}\n`)).to.deep.equal([]);
  });

  it("refuses the API the indexer's and the web app's source, and the indexer the API's and the web app's", async () => {
    expect(
      await boundaryViolations(
        "api/src/escrow/boundary-check.ts",
        'export * from "../../../indexer/src/announce.js";\n',
      ),
    ).to.have.length(1);
    expect(
      await boundaryViolations("api/src/boundary-check.ts", 'export * from "../../web/src/api/request-json.js";\n'),
    ).to.have.length(1);
    expect(
      await boundaryViolations("indexer/src/boundary-check.ts", 'export * from "../../api/src/config.js";\n'),
    ).to.have.length(1);
    expect(
      await boundaryViolations("indexer/src/handlers/boundary-check.ts", 'export * from "../../../web/src/app.js";\n'),
    ).to.have.length(1);
    expect(
      await boundaryViolations("api/src/boundary-check.ts", 'export * from "../../protocol/announcement.js";\n'),
    ).to.deep.equal([]);
    expect(
      await boundaryViolations("indexer/src/boundary-check.ts", 'export * from "../../protocol/announcement.js";\n'),
    ).to.deep.equal([]);
  });

  it("keeps protocol/ to its own files, viem and zod, without Node's or the browser's APIs, at any depth", async () => {
    const refused: [string, string][] = [
      ["protocol/boundary-check.ts", 'export * from "../api/src/config.js";\n'],
      ["protocol/escrow/boundary-check.ts", 'export * from "../../indexer/src/announce.js";\n'],
      ["protocol/escrow/boundary-check.ts", 'export * from "../../scripts/export-contracts.js";\n'],
      ["protocol/api/boundary-check.ts", 'import { readFile } from "node:fs/promises";\nexport { readFile };\n'],
      ["protocol/api/boundary-check.ts", 'import path from "path";\nexport { path };\n'],
      ["protocol/api/boundary-check.ts", 'import { useState } from "react";\nexport { useState };\n'],
      ["protocol/boundary-check.ts", "export const origin = window.location.origin;\n"],
      ["protocol/escrow/boundary-check.ts", 'export const home = process.env.HOME ?? "";\n'],
      ["protocol/boundary-check.ts", 'export const bytes = Buffer.from("x");\n'],
    ];
    for (const [file, code] of refused) {
      expect(await boundaryViolations(file, code), `${file}: ${code}`).to.have.length(1);
    }
    const allowed: [string, string][] = [
      [
        "protocol/boundary-check.ts",
        'export * from "./generated/contracts.js";\nexport * from "./escrow/order-state.js";\n',
      ],
      [
        "protocol/escrow/boundary-check.ts",
        'export * from "../generated/contracts.js";\nexport * from "./escrow-calls.js";\n',
      ],
      ["protocol/api/boundary-check.ts", 'export * from "../vocabulary/roles.js";\nexport { z } from "zod";\n'],
      [
        "protocol/governance/boundary-check.ts",
        'export { encodeFunctionData } from "viem";\nexport * from "viem/accounts";\n',
      ],
    ];
    for (const [file, code] of allowed) {
      expect(await boundaryViolations(file, code), `${file}: ${code}`).to.deep.equal([]);
    }
  });
});
