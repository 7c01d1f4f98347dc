import { randomUUID } from "node:crypto";

import { expect } from "chai";
import { z } from "zod";

import { defineRoute } from "../../api/src/http/define-route.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";

const signIn = defineRoute({
  method: "post",
  path: "/api/test/sign-in",
  auth: "public",
  rateLimit: "auth",
  summary: "Stands in for a sign-in endpoint",
  tags: ["test"],
  responses: { 200: z.object({ ok: z.boolean() }) },
}).handle(() => ({ status: 200, body: { ok: true } }));

const profile = defineRoute({
  method: "get",
  path: "/api/test/profile",
  auth: "user",
  summary: "Counts against the default policy per account",
  tags: ["test"],
  responses: { 200: z.object({ ok: z.boolean() }) },
}).handle(() => ({ status: 200, body: { ok: true } }));

for (const store of ["redis", "memory"] as const) {
  describe(`API rate limits (${store} store)`, function () {
    let api: ApiTestApp;

    before(async function () {
      api = await startApiApp({
        store,
        rateLimitPolicies: { auth: { limit: 3, windowMs: 60_000 }, default: { limit: 5, windowMs: 60_000 } },
        extraRoutes: [signIn, profile],
      });
    });

    after(async function () {
      await api?.close();
    });

    const signInFrom = (forwardedFor?: string) =>
      api.request("/api/test/sign-in", {
        method: "POST",
        headers: forwardedFor === undefined ? {} : { "X-Forwarded-For": forwardedFor },
      });

    it("answers 429 with Retry-After once the auth policy is used up, and counts the rejection", async function () {
      for (let attempt = 0; attempt < 3; attempt++) expect((await signInFrom()).status).to.equal(200);
      const refused = await signInFrom();
      expect(refused.status).to.equal(429);
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(retryAfter).to.be.greaterThan(0).and.at.most(60);
      expect(await refused.json()).to.deep.equal({
        error: {
          code: "rate_limited",
          message: "Too many requests; retry later",
          details: { policy: "auth", retryAfterSeconds: retryAfter },
        },
      });
      const metrics = await (await api.request("/metrics")).text();
      expect(metrics).to.match(/api_rate_limit_rejections_total\{policy="auth",scope="ip"\} [1-9]/);
    });

    it("ignores a spoofed X-Forwarded-For when TRUST_PROXY is false", async function () {
      expect((await signInFrom("203.0.113.7")).status).to.equal(429);
      expect((await signInFrom("198.51.100.9, 203.0.113.8")).status).to.equal(429);
    });

    it("shares one IP's budget across the accounts signed in from it", async function () {
      const first = await api.accessTokens.issue({ id: randomUUID(), roles: ["buyer"] });
      const get = (token: string) =>
        api.request("/api/test/profile", { headers: { Authorization: `Bearer ${token}` } });
      // The IP's default budget (5) is shared: two requests for the first account leave three.
      for (let i = 0; i < 2; i++) expect((await get(first.token)).status).to.equal(200);
      const second = await api.accessTokens.issue({ id: randomUUID(), roles: ["buyer"] });
      for (let i = 0; i < 3; i++) expect((await get(second.token)).status).to.equal(200);
      const refused = await get(second.token);
      expect(refused.status).to.equal(429);
      expect(refused.headers.get("retry-after")).to.match(/^\d+$/);
    });
  });
}

describe("API rate limits behind a trusted proxy", function () {
  let api: ApiTestApp;

  before(async function () {
    api = await startApiApp({
      env: { TRUST_PROXY: "true" },
      rateLimitPolicies: { auth: { limit: 1, windowMs: 60_000 }, default: { limit: 2, windowMs: 60_000 } },
      extraRoutes: [signIn, profile],
    });
  });

  after(async function () {
    await api?.close();
  });

  it("limits each client address the proxy reports, not the client-supplied entries before it", async function () {
    const from = (forwardedFor: string) =>
      api.request("/api/test/sign-in", { method: "POST", headers: { "X-Forwarded-For": forwardedFor } });
    expect((await from("203.0.113.7")).status).to.equal(200);
    expect((await from("203.0.113.7")).status).to.equal(429);
    expect((await from("203.0.113.8")).status).to.equal(200);
    expect((await from("10.9.9.9, 203.0.113.8")).status).to.equal(429);
  });

  it("limits an account across every address it comes from", async function () {
    const { token } = await api.accessTokens.issue({ id: randomUUID(), roles: ["buyer"] });
    const from = (forwardedFor: string) =>
      api.request("/api/test/profile", {
        headers: { Authorization: `Bearer ${token}`, "X-Forwarded-For": forwardedFor },
      });
    expect((await from("192.0.2.1")).status).to.equal(200);
    expect((await from("192.0.2.2")).status).to.equal(200);
    expect((await from("192.0.2.3")).status).to.equal(429);
    const metrics = await (await api.request("/metrics")).text();
    expect(metrics).to.match(/api_rate_limit_rejections_total\{policy="default",scope="account"\} 1/);
  });
});
