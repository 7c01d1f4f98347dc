import { randomUUID } from "node:crypto";

import { expect } from "chai";
import { SignJWT, UnsecuredJWT } from "jose";
import { z } from "zod";

import { createAccessTokens } from "../../api/src/auth/access-tokens.js";
import { defineRoute } from "../../api/src/http/define-route.js";
import { TEST_JWT_SECRET, startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { createActor } from "../support/catalog-actors.js";

const whoAmI = defineRoute({
  method: "get",
  path: "/api/test/me",
  auth: "user",
  summary: "The signed-in caller",
  tags: ["test"],
  responses: { 200: z.object({ id: z.string(), roles: z.array(z.string()) }) },
}).handle(({ user }) => ({ status: 200, body: { id: user.id, roles: [...user.roles] } }));

const touchMe = defineRoute({
  method: "post",
  path: "/api/test/me",
  auth: "user",
  summary: "A write by the signed-in caller",
  tags: ["test"],
  responses: { 200: z.object({ id: z.string(), roles: z.array(z.string()) }) },
}).handle(({ user }) => ({ status: 200, body: { id: user.id, roles: [...user.roles] } }));

const arbitrate = defineRoute({
  method: "post",
  path: "/api/test/arbitrate",
  auth: ["arbiter", "admin"],
  summary: "Only for arbiters and admins",
  tags: ["test"],
  responses: { 204: null },
}).handle(() => ({ status: 204, body: undefined }));

const secret = new TextEncoder().encode(TEST_JWT_SECRET);

describe("API access tokens and roles", function () {
  let api: ApiTestApp;

  before(async function () {
    api = await startApiApp({ extraRoutes: [whoAmI, touchMe, arbitrate] });
  });

  after(async function () {
    await api?.close();
  });

  const withToken = (path: string, token: string, method = "GET") =>
    api.request(path, { method, headers: { Authorization: `Bearer ${token}` } });

  const expectUnauthorized = async (response: Response) => {
    expect(response.status).to.equal(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).to.equal("unauthorized");
  };

  it("sets the user from a valid bearer token", async function () {
    const id = randomUUID();
    const { token } = await api.accessTokens.issue({ id, roles: ["buyer", "farmer"] });
    const response = await withToken("/api/test/me", token);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ id, roles: ["buyer", "farmer"] });
  });

  it("answers 401 without a token on a route that needs a user", async function () {
    await expectUnauthorized(await api.request("/api/test/me"));
  });

  it("refuses a token with alg none", async function () {
    const token = new UnsecuredJWT({ roles: ["admin"] })
      .setSubject(randomUUID())
      .setIssuer(api.config.jwt.issuer)
      .setAudience(api.config.jwt.audience)
      .setExpirationTime("5m")
      .encode();
    await expectUnauthorized(await withToken("/api/test/me", token));
  });

  it("refuses a token signed with another key", async function () {
    const other = createAccessTokens({
      secret: new TextEncoder().encode("another-secret-that-is-also-long-enough"),
      issuer: api.config.jwt.issuer,
      audience: api.config.jwt.audience,
      ttlSeconds: 300,
    });
    const { token } = await other.issue({ id: randomUUID(), roles: ["admin"] });
    await expectUnauthorized(await withToken("/api/test/me", token));
  });

  it("refuses a token for another audience", async function () {
    const token = await new SignJWT({ roles: ["admin"] })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(randomUUID())
      .setIssuer(api.config.jwt.issuer)
      .setAudience("some-other-service")
      .setExpirationTime("5m")
      .sign(secret);
    await expectUnauthorized(await withToken("/api/test/me", token));
  });

  it("refuses an expired token", async function () {
    const issuedAnHourAgo = createAccessTokens({
      secret,
      issuer: api.config.jwt.issuer,
      audience: api.config.jwt.audience,
      ttlSeconds: 300,
      now: () => new Date(Date.now() - 3_600_000),
    });
    const { token } = await issuedAnHourAgo.issue({ id: randomUUID(), roles: ["admin"] });
    const response = await withToken("/api/test/me", token);
    expect(response.status).to.equal(401);
    expect(((await response.json()) as { error: { message: string } }).error.message).to.equal(
      "The access token has expired",
    );
  });

  it("answers 403 to a user without a required role and serves one who has it", async function () {
    const buyer = await createActor(api, ["buyer"]);
    const refused = await withToken("/api/test/arbitrate", buyer.token, "POST");
    expect(refused.status).to.equal(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).to.equal("forbidden");

    const arbiter = await createActor(api, ["arbiter"]);
    expect((await withToken("/api/test/arbitrate", arbiter.token, "POST")).status).to.equal(204);
    await expectUnauthorized(await api.request("/api/test/arbitrate", { method: "POST" }));
  });

  it("refuses at once a role removed, or an account deleted, after the token was issued", async function () {
    const revoked = await createActor(api, ["buyer", "arbiter"]);
    await api.database.pool.query("UPDATE users SET roles = '{buyer}' WHERE id = $1", [revoked.id]);
    const refused = await withToken("/api/test/arbitrate", revoked.token, "POST");
    expect(refused.status).to.equal(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).to.equal("forbidden");

    const deleted = await createActor(api, ["admin"]);
    await api.database.pool.query("UPDATE users SET deleted_at = now() WHERE id = $1", [deleted.id]);
    await expectUnauthorized(await withToken("/api/test/arbitrate", deleted.token, "POST"));
    // A token naming no role may still be granted one by the account: the account decides, not the token.
    const promoted = await createActor(api, ["buyer"]);
    await api.database.pool.query("UPDATE users SET roles = '{buyer,admin}' WHERE id = $1", [promoted.id]);
    expect((await withToken("/api/test/arbitrate", promoted.token, "POST")).status).to.equal(204);
  });

  it("gives a staff token's reads the account's current roles, and a buyer's reads the token's alone", async function () {
    const formerAdmin = await createActor(api, ["admin"]);
    await api.database.pool.query("UPDATE users SET roles = '{buyer}' WHERE id = $1", [formerAdmin.id]);
    const staffRead = await withToken("/api/test/me", formerAdmin.token);
    expect(await staffRead.json()).to.deep.equal({ id: formerAdmin.id, roles: ["buyer"] });
    await api.database.pool.query("UPDATE users SET deleted_at = now() WHERE id = $1", [formerAdmin.id]);
    await expectUnauthorized(await withToken("/api/test/me", formerAdmin.token));

    // A buyer's read is answered from the token, without asking the database for an account (there is none here).
    const { token } = await api.accessTokens.issue({ id: randomUUID(), roles: ["buyer"] });
    expect((await withToken("/api/test/me", token)).status).to.equal(200);
    await expectUnauthorized(await withToken("/api/test/me", token, "POST"));
  });

  it("serves a public route anonymously even when the token is bad", async function () {
    expect((await withToken("/health", "not-a-jwt")).status).to.equal(200);
  });
});
