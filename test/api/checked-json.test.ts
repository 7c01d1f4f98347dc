import { get } from "node:http";

import { expect } from "chai";
import { z } from "zod";

import { CheckedJson } from "../../api/src/http/checked-json.js";
import { defineRoute } from "../../api/src/http/define-route.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";

const greeting = z.object({ hello: z.string() });
const other = z.object({ hello: z.string() });

const checked = CheckedJson.check(greeting, { hello: "world", secret: "never sent" });

const cachedRoute = defineRoute({
  method: "get",
  path: "/api/test/checked",
  auth: "public",
  summary: "Serves JSON checked earlier",
  tags: ["test"],
  responses: { 200: greeting },
}).handle(() => ({ status: 200, body: checked }));

const mismatchedRoute = defineRoute({
  method: "get",
  path: "/api/test/checked-elsewhere",
  auth: "public",
  summary: "Serves JSON checked against another schema",
  tags: ["test"],
  responses: { 200: greeting },
}).handle(() => ({ status: 200, body: CheckedJson.check(other, { hello: "world" }) }));

describe("API responses checked ahead of time (CheckedJson)", function () {
  let api: ApiTestApp;

  before(async function () {
    api = await startApiApp({ extraRoutes: [cachedRoute, mismatchedRoute] });
  });

  after(async function () {
    await api?.close();
  });

  it("are sent as checked, without fields the schema does not list, with their precomputed ETag", async function () {
    const response = await api.request("/api/test/checked");
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.match(/^application\/json/);
    expect(response.headers.get("etag")).to.equal(checked.etag);
    expect(await response.json()).to.deep.equal({ hello: "world" });
  });

  it("answer 304 when the client already has them", async function () {
    const status = await new Promise<number>((resolve, reject) => {
      get(`${api.url}/api/test/checked`, { headers: { "If-None-Match": checked.etag } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }).on("error", reject);
    });
    expect(status).to.equal(304);
  });

  it("are a server error when checked against another schema than the route declares", async function () {
    const response = await api.request("/api/test/checked-elsewhere");
    expect(response.status).to.equal(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).to.equal("internal_error");
  });
});
