import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import type { Router } from "@koa/router";

import type { ApiState } from "../../http/api-context.js";

export const DOCS_PATH = "/api/docs";
export const OPENAPI_PATH = "/api/openapi.json";

const SWAGGER_UI_DIR = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

/** The only files of swagger-ui-dist the page needs; nothing else in that folder is reachable. */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css",
  "swagger-ui-bundle.js": "application/javascript",
  "favicon-32x32.png": "image/png",
};

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>AgriDAO API</title>
    <link rel="stylesheet" href="${DOCS_PATH}/assets/swagger-ui.css" />
    <link rel="icon" type="image/png" href="${DOCS_PATH}/assets/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/assets/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/init.js"></script>
  </body>
</html>
`;

// A separate file rather than an inline script, so the page's CSP can stay at script-src 'self'.
const INIT = `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(OPENAPI_PATH)}, dom_id: "#swagger-ui" });\n`;

/** Serves the OpenAPI document and a Swagger UI page for it, from local files only (no CDN). */
export function mountDocsRoutes(router: Router<ApiState>, document: unknown): void {
  router.get(OPENAPI_PATH, (ctx) => {
    ctx.state.routePattern = OPENAPI_PATH;
    ctx.body = document;
  });
  router.get(DOCS_PATH, (ctx) => {
    ctx.state.routePattern = DOCS_PATH;
    ctx.type = "text/html";
    ctx.body = PAGE;
  });
  router.get(`${DOCS_PATH}/init.js`, (ctx) => {
    ctx.state.routePattern = `${DOCS_PATH}/init.js`;
    ctx.type = "application/javascript";
    ctx.body = INIT;
  });
  router.get(`${DOCS_PATH}/assets/:file`, (ctx) => {
    ctx.state.routePattern = `${DOCS_PATH}/assets/:file`;
    const file = ctx.params.file;
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (type === undefined) return;
    ctx.type = type;
    ctx.set("Cache-Control", "public, max-age=86400");
    ctx.body = createReadStream(path.join(SWAGGER_UI_DIR, file));
  });
}
