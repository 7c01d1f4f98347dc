import { get } from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import { gunzipSync } from "node:zlib";

import { expect } from "chai";
import { z } from "zod";

import { defineRoute } from "../../api/src/http/define-route.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { createActor, validationPaths } from "../support/catalog-actors.js";
import type { TestActor } from "../support/catalog-actors.js";

const echoRoute = defineRoute({
  method: "post",
  path: "/api/test/echo/:id",
  auth: "public",
  summary: "Echoes its validated input",
  tags: ["test"],
  request: {
    params: z.object({ id: z.coerce.number().int().positive() }),
    body: z.object({ name: z.string().min(1), password: z.string().optional() }),
  },
  responses: { 200: z.object({ id: z.number(), name: z.string() }) },
}).handle(({ params, body, log }) => {
  log.info({ body, headers: { authorization: "Bearer secret-token" } }, "echo");
  return { status: 200, body: { id: params.id, name: body.name } };
});

const crashRoute = defineRoute({
  method: "get",
  path: "/api/test/crash",
  auth: "public",
  summary: "Fails with an unexpected error",
  tags: ["test"],
  responses: { 200: z.object({}) },
}).handle(() => Promise.reject(new Error("database exploded with secret detail")));

const bigRoute = defineRoute({
  method: "get",
  path: "/api/test/big",
  auth: "public",
  summary: "A large cacheable document",
  tags: ["test"],
  responses: { 200: z.object({ items: z.array(z.string()) }) },
}).handle(() => ({ status: 200, body: { items: Array.from({ length: 500 }, (_, i) => `item number ${i}`) } }));

const SECURITY_HEADERS = {
  "strict-transport-security": /max-age=\d+/,
  "content-security-policy": /frame-ancestors 'none'/,
  "x-content-type-options": /^nosniff$/,
  "referrer-policy": /^no-referrer$/,
};

describe("API HTTP conventions", function () {
  let api: ApiTestApp;

  before(async function () {
    api = await startApiApp({
      env: { CORS_ORIGINS: "https://shop.example", BODY_LIMIT: "1kb" },
      extraRoutes: [echoRoute, crashRoute, bigRoute],
    });
  });

  after(async function () {
    await api?.close();
  });

  const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    api.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  // fetch decompresses and marks conditional requests `Cache-Control: no-cache` (which forbids a 304), so the
  // ETag and compression tests speak node:http, as a browser revalidating its cache would.
  const rawGet = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      get(`${api.url}${path}`, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
        );
      }).on("error", reject);
    });

  it("answers an unknown path with 404 in the error shape", async function () {
    const response = await api.request("/api/nothing-here");
    expect(response.status).to.equal(404);
    expect(await response.json()).to.deep.equal({
      error: { code: "not_found", message: "No route for GET /api/nothing-here" },
    });
    expect(response.headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
  });

  it("answers invalid params and body with 400 listing each problem", async function () {
    const response = await postJson("/api/test/echo/abc", { name: "" });
    expect(response.status).to.equal(400);
    const body = (await response.json()) as { error: { code: string; details: { issues: { path: string }[] } } };
    expect(body.error.code).to.equal("validation_failed");
    expect(body.error.details.issues.map((issue) => issue.path)).to.have.members(["params.id", "body.name"]);
  });

  it("answers malformed JSON with 400 and a non-JSON body with 415", async function () {
    const malformed = await api.request("/api/test/echo/1", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).to.equal(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).to.equal("validation_failed");
    const text = await api.request("/api/test/echo/1", { method: "POST", body: "name=x" });
    expect(text.status).to.equal(415);
    expect(((await text.json()) as { error: { code: string } }).error.code).to.equal("unsupported_media_type");
  });

  it("answers a body over BODY_LIMIT with 413 in the error shape", async function () {
    const response = await postJson("/api/test/echo/1", { name: "x".repeat(2_000) });
    expect(response.status).to.equal(413);
    expect(await response.json()).to.deep.equal({
      error: {
        code: "payload_too_large",
        message: "The request body exceeds the limit of 1kb",
        details: { limit: "1kb" },
      },
    });
  });

  it("answers an unexpected error with a generic 500 and logs it with the request id", async function () {
    const response = await api.request("/api/test/crash", { headers: { "X-Request-Id": "crash-1" } });
    expect(response.status).to.equal(500);
    expect(response.headers.get("x-request-id")).to.equal("crash-1");
    expect(await response.json()).to.deep.equal({
      error: { code: "internal_error", message: "Internal server error", details: { requestId: "crash-1" } },
    });
    const logged = api.logs.find((line) => line.msg === "unhandled error" && line.requestId === "crash-1");
    expect(logged?.err).to.have.property("message", "database exploded with secret detail");
  });

  it("echoes a sane X-Request-Id and replaces one that is not", async function () {
    const kept = await api.request("/health", { headers: { "X-Request-Id": "abc-123.def" } });
    expect(kept.headers.get("x-request-id")).to.equal("abc-123.def");
    const replaced = await api.request("/health", { headers: { "X-Request-Id": "bad id with spaces\t" } });
    expect(replaced.headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
    const accessLine = api.logs.find((line) => line.msg === "request" && line.requestId === "abc-123.def");
    expect(accessLine).to.include({ method: "GET", path: "/health", status: 200 });
  });

  it("redacts passwords and authorization headers from log lines", async function () {
    const response = await postJson(
      "/api/test/echo/7",
      { name: "Rahim", password: "hunter2-very-secret" },
      { "X-Request-Id": "redact-1" },
    );
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ id: 7, name: "Rahim" });
    const line = api.logs.find((entry) => entry.msg === "echo" && entry.requestId === "redact-1");
    expect(line).to.deep.include({
      body: { name: "Rahim", password: "[Redacted]" },
      headers: { authorization: "[Redacted]" },
    });
    expect(JSON.stringify(api.logs)).not.to.contain("hunter2-very-secret").and.not.to.contain("secret-token");
  });

  it("sets the security headers on success, error and 404 responses", async function () {
    for (const path of ["/health", "/api/test/crash", "/nowhere"]) {
      const response = await api.request(path);
      for (const [header, pattern] of Object.entries(SECURITY_HEADERS)) {
        expect(response.headers.get(header), `${header} on ${path}`).to.match(pattern);
      }
    }
  });

  it("allows CORS for a listed origin and refuses any other", async function () {
    const allowed = await api.request("/health", { headers: { Origin: "https://shop.example" } });
    expect(allowed.headers.get("access-control-allow-origin")).to.equal("https://shop.example");
    const preflight = await api.request("/api/test/echo/1", {
      method: "OPTIONS",
      headers: { Origin: "https://shop.example", "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-methods")).to.contain("POST");
    const refused = await api.request("/health", { headers: { Origin: "https://evil.example" } });
    expect(refused.headers.get("access-control-allow-origin")).to.equal(null);
  });

  it("answers a repeated GET with 304 when the ETag matches", async function () {
    const first = await api.request("/api/test/big");
    const tag = first.headers.get("etag");
    expect(tag).to.match(/^W\/".+"$/);
    const second = await rawGet("/api/test/big", { "If-None-Match": tag! });
    expect(second.status).to.equal(304);
    expect(second.body.length).to.equal(0);
  });

  it("compresses large responses when the client accepts gzip", async function () {
    const { headers, body } = await rawGet("/api/test/big", { "Accept-Encoding": "gzip" });
    expect(headers["content-encoding"]).to.equal("gzip");
    const document = JSON.parse(gunzipSync(body).toString()) as { items: string[] };
    expect(document.items).to.have.length(500);
  });

  it("publishes an OpenAPI 3.1 document listing the routes, and a docs page served locally", async function () {
    const response = await api.request("/api/openapi.json");
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters: { name: string; in: string }[]; responses: object }>>;
    };
    expect(document.openapi).to.equal("3.1.0");
    expect(document.paths).to.include.keys("/health", "/ready", "/api/test/echo/{id}");
    const echo = document.paths["/api/test/echo/{id}"].post;
    expect(echo.parameters).to.deep.include({
      name: "id",
      in: "path",
      required: true,
      schema: { type: "integer", exclusiveMinimum: 0, maximum: 9007199254740991 },
    });
    expect(echo.responses).to.include.keys("200", "400", "415", "429", "500");
    // Routes that are not JSON in and out are described by hand beside them: the event stream and Stripe's webhook.
    const stream = document.paths["/api/events"].get as unknown as {
      responses: Record<string, { content: Record<string, unknown> }>;
    };
    expect(stream.responses["200"].content).to.have.key("text/event-stream");
    expect(stream.responses["401"].content).to.have.key("application/json");
    const webhook = document.paths["/api/stripe/webhook"].post;
    expect(webhook.parameters).to.deep.include({
      name: "Stripe-Signature",
      in: "header",
      required: true,
      schema: { type: "string" },
    });
    expect(webhook.responses).to.include.keys("200", "400", "500", "503");

    const page = await api.request("/api/docs");
    expect(page.headers.get("content-type")).to.contain("text/html");
    const html = await page.text();
    expect(html).not.to.match(/https?:\/\//);
    expect(page.headers.get("content-security-policy")).to.contain("script-src 'self'");
    const bundle = await api.request("/api/docs/assets/swagger-ui-bundle.js");
    expect(bundle.status).to.equal(200);
    expect((await api.request("/api/docs/assets/package.json")).status).to.equal(404);
  });

  describe("text PostgreSQL cannot store", function () {
    let farmer: TestActor;
    let slug: string;

    before(async function () {
      farmer = await createActor(api, ["farmer"]);
      const created = await api.request("/api/farms", farmer.json("POST", { name: "Surma Tea", region: "Sylhet" }));
      expect(created.status).to.equal(201);
      slug = ((await created.json()) as { slug: string }).slug;
    });

    async function rows(sql: string, params: unknown[]): Promise<unknown[]> {
      return (await api.database.pool.query<Record<string, unknown>>(sql, params)).rows;
    }

    it("refuses a NUL in a query string with 400 naming the field, never 503", async function () {
      expect(await validationPaths(await api.request("/api/products?q=to%00mato"))).to.deep.equal(["query.q"]);
      expect(await validationPaths(await api.request("/api/products?region=Syl%00het"))).to.deep.equal([
        "query.region",
      ]);
      expect(await validationPaths(await api.request("/api/farms?region=%00"))).to.deep.equal(["query.region"]);
    });

    it("refuses a NUL in a path parameter with 400 naming it", async function () {
      expect(await validationPaths(await api.request("/api/products/%00"))).to.deep.equal(["params.id"]);
      expect(await validationPaths(await api.request(`/api/farms/${slug}%00`))).to.deep.equal(["params.slug"]);
    });

    it("refuses a NUL in a product name or a farm description and writes nothing", async function () {
      const tea = { category: "other", unit: "kg", priceMinor: 300, stock: 5 };
      const product = await api.request("/api/products", farmer.json("POST", { ...tea, name: "Green\u0000tea" }));
      expect(await validationPaths(product)).to.deep.equal(["body.name"]);
      const ofFarm = "SELECT p.name FROM products p JOIN farms f ON f.id = p.farm_id WHERE f.slug = $1";
      expect(await rows(ofFarm, [slug])).to.have.length(0);
      expect((await api.request("/api/products", farmer.json("POST", { ...tea, name: "Green tea" }))).status).to.equal(
        201,
      );
      expect(await rows(ofFarm, [slug])).to.deep.equal([{ name: "Green tea" }]);

      const patch = await api.request(`/api/farms/${slug}`, farmer.json("PATCH", { description: "Hill\u0000side" }));
      expect(await validationPaths(patch)).to.deep.equal(["body.description"]);
      expect(await rows("SELECT description FROM farms WHERE slug = $1", [slug])).to.deep.equal([{ description: "" }]);
    });

    it("refuses a NUL or an unpaired surrogate anywhere in a JSON body, even in a field the route ignores", async function () {
      const nested = await postJson("/api/test/echo/1", { name: "ok", extra: { list: ["fine", "bad\u0000"] } });
      expect(await validationPaths(nested)).to.deep.equal(["body.extra.list.1"]);
      const surrogate = await api.request("/api/test/echo/1", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: '{"name":"half \\ud83c of a flag"}',
      });
      const error = (await surrogate.json()) as { error: { code: string; details: { issues: object[] } } };
      expect(surrogate.status).to.equal(400);
      expect(error.error.details.issues).to.deep.equal([
        { path: "body.name", message: "must not contain an unpaired UTF-16 surrogate, which is not valid Unicode" },
      ]);
    });
  });
});
