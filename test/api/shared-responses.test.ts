import { gunzipSync } from "node:zlib";
import { request as httpRequest } from "node:http";

import { expect } from "chai";

import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { createActor } from "../support/catalog-actors.js";
import type { TestActor } from "../support/catalog-actors.js";

interface Listing {
  products: { id: string; name: string; priceMinor: number }[];
}

/** A GET with the raw answer: status, headers and the undecoded bytes (fetch would gunzip them). */
function rawGet(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
    (resolve, reject) => {
      httpRequest(url, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
        );
      })
        .on("error", reject)
        .end();
    },
  );
}

// Public catalog reads repeated by anonymous callers are answered ahead of the middleware stack once the stack has
// answered them: these tests pin that such answers are the same answers, and never outlive a catalog change.
describe("API shared catalog responses", function () {
  let api: ApiTestApp;
  let farmer: TestActor;
  let productId: string;

  before(async function () {
    api = await startApiApp({ store: "redis", env: { CORS_ORIGINS: "http://shop.example" } });
    farmer = await createActor(api, ["farmer"]);
    await api.request("/api/farms", farmer.json("POST", { name: "Shared Answers Farm", region: "Khulna" }));
    const created = await api.request(
      "/api/products",
      farmer.json("POST", {
        name: "Golden lentils",
        description: "Split and polished ".repeat(80),
        category: "grains",
        unit: "kg",
        priceMinor: 420,
        stock: 30,
        status: "active",
      }),
    );
    expect(created.status).to.equal(201);
    productId = ((await created.json()) as { id: string }).id;
  });

  after(async function () {
    await api?.close();
  });

  const accessLines = (path: string) => api.logs.filter((line) => line.msg === "request" && line.path === path).length;
  const sharedLines = (path: string) =>
    api.logs.filter((line) => line.msg === "shared response" && line.path === path).length;

  it("answers a repeated anonymous listing without the stack, with the same body, headers and ETag", async function () {
    const url = `${api.url}/api/products?limit=5&sort=newest`;
    const first = await rawGet(url, { "X-Request-Id": "first-call" });
    const accessBefore = accessLines("/api/products");
    const second = await rawGet(url, { "X-Request-Id": "second-call" });

    expect(first.status).to.equal(200);
    expect(second.status).to.equal(200);
    expect(accessLines("/api/products")).to.equal(accessBefore);
    expect(sharedLines("/api/products")).to.be.greaterThan(0);
    expect(second.body.equals(first.body)).to.equal(true);
    expect(second.headers["x-request-id"]).to.equal("second-call");
    for (const name of [
      "etag",
      "content-type",
      "strict-transport-security",
      "content-security-policy",
      "x-content-type-options",
      "x-frame-options",
      "referrer-policy",
      "cross-origin-opener-policy",
    ]) {
      expect(second.headers[name], name).to.equal(first.headers[name]);
    }
    expect(String(second.headers.vary)).to.contain("Origin");
    expect((JSON.parse(second.body.toString()) as Listing).products.map((p) => p.id)).to.include(productId);
  });

  it("revalidates with 304, and gzips for clients that accept it", async function () {
    const url = `${api.url}/api/products/${productId}`;
    const plain = await rawGet(url);
    await rawGet(url);
    const accessBefore = accessLines(`/api/products/${productId}`);
    const revalidated = await rawGet(url, { "If-None-Match": String(plain.headers.etag) });
    expect(revalidated.status).to.equal(304);
    expect(revalidated.body).to.have.length(0);
    const zipped = await rawGet(url, { "Accept-Encoding": "gzip" });
    expect(zipped.headers["content-encoding"]).to.equal("gzip");
    expect(gunzipSync(zipped.body).equals(plain.body)).to.equal(true);
    expect(accessLines(`/api/products/${productId}`)).to.equal(accessBefore);
  });

  it("never serves a listing from before a catalog change", async function () {
    const url = `${api.url}/api/products?limit=5&category=grains`;
    const priceOf = async () =>
      (JSON.parse((await rawGet(url)).body.toString()) as Listing).products.find((p) => p.id === productId)?.priceMinor;
    expect(await priceOf()).to.equal(420);
    expect(await priceOf()).to.equal(420);
    const changed = await api.request(`/api/products/${productId}`, farmer.json("PATCH", { priceMinor: 455 }));
    expect(changed.status).to.equal(200);
    expect(await priceOf()).to.equal(455);
  });

  it("leaves signed-in and cross-origin requests to the whole stack", async function () {
    const url = `${api.url}/api/products?limit=3`;
    await rawGet(url);
    await rawGet(url);
    const accessBefore = accessLines("/api/products");
    const origin = "http://shop.example";
    const crossOrigin = await rawGet(url, { Origin: origin });
    expect(crossOrigin.headers["access-control-allow-origin"]).to.equal(origin);
    const signedIn = await rawGet(url, { Authorization: farmer.headers.Authorization });
    expect(signedIn.status).to.equal(200);
    expect(accessLines("/api/products")).to.equal(accessBefore + 2);
  });

  it("still counts every request against the rate limit, answering 429 in the one error shape", async function () {
    // An app of its own: its rate-limit windows start empty.
    const limited = await startApiApp({
      store: "redis",
      rateLimitPolicies: { default: { limit: 4, windowMs: 60_000 } },
    });
    try {
      const url = `${limited.url}/api/products?limit=2`;
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await rawGet(url)).status);
      expect(statuses).to.deep.equal([200, 200, 200, 200, 429, 429]);
      const refused = await rawGet(url);
      expect(refused.headers["retry-after"]).to.match(/^\d+$/);
      expect(refused.headers["x-content-type-options"]).to.equal("nosniff");
      expect(JSON.parse(refused.body.toString())).to.have.nested.property("error.code", "rate_limited");
    } finally {
      await limited.close();
    }
  });

  it("drops what it holds when another API process changes the catalog", async function () {
    const other = await startApiApp({ peer: api, store: "redis" });
    try {
      const url = `${api.url}/api/products?limit=5&category=grains&sort=price_asc`;
      const names = async () =>
        (JSON.parse((await rawGet(url)).body.toString()) as Listing).products.map((product) => product.name);
      expect(await names()).to.deep.equal(["Golden lentils"]);
      expect(await names()).to.deep.equal(["Golden lentils"]);
      const created = await other.request(
        "/api/products",
        farmer.json("POST", {
          name: "Black gram",
          category: "grains",
          unit: "kg",
          priceMinor: 300,
          stock: 5,
          status: "active",
        }),
      );
      expect(created.status).to.equal(201);
      // Pub/sub carries the new version within milliseconds; without it the version is re-read within a second.
      const deadline = Date.now() + 5_000;
      let seen = await names();
      while (seen.length < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        seen = await names();
      }
      expect(seen).to.deep.equal(["Black gram", "Golden lentils"]);
    } finally {
      await other.close();
    }
  });
});
