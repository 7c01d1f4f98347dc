import { expect } from "chai";

import { hashRefreshToken } from "../../api/src/auth/refresh-tokens.js";
import { RefreshToken } from "../../api/src/entities/RefreshToken.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { WEB_ORIGIN, createAuthClient, refreshTokenOf } from "../support/auth-client.js";
import type { SignedInBody } from "../support/auth-client.js";

type ErrorBody = { error: { code: string; message: string } };

describe("Sessions: refresh tokens, rotation and sign-out", function () {
  let api: ApiTestApp;
  let auth: ReturnType<typeof createAuthClient>;
  let counter = 0;
  const nextEmail = () => `session-${++counter}@example.com`;

  before(async function () {
    api = await startApiApp({ store: "redis", env: { CORS_ORIGINS: WEB_ORIGIN } });
    auth = createAuthClient(api);
  });

  after(async function () {
    await api?.close();
  });

  const refreshed = async (token: string) => {
    const response = await auth.refresh(token);
    expect(response.status, await response.clone().text()).to.equal(200);
    return { body: (await response.json()) as SignedInBody, token: refreshTokenOf(response) };
  };

  const expectRefused = async (response: Response, message: RegExp) => {
    expect(response.status).to.equal(401);
    expect(((await response.json()) as ErrorBody).error.message).to.match(message);
  };

  it("stores only the SHA-256 of a refresh token, for the configured lifetime", async function () {
    const session = await auth.register(nextEmail());
    const rows = await api.orm.em.fork().find(RefreshToken, { user: session.user.id });
    expect(rows).to.have.length(1);
    expect(rows[0].tokenHash).to.equal(hashRefreshToken(session.refreshToken));
    expect(rows[0].tokenHash).to.not.contain(session.refreshToken);
    const lifetime = rows[0].expiresAt.getTime() - rows[0].createdAt.getTime();
    expect(Math.round(lifetime / 1000)).to.be.within(api.config.refreshTtlSeconds - 5, api.config.refreshTtlSeconds);
  });

  it("rotates the refresh token on every use and answers a working access token", async function () {
    const session = await auth.register(nextEmail());
    const first = await refreshed(session.refreshToken);
    expect(first.token).to.not.equal(session.refreshToken);
    expect(first.body.user.id).to.equal(session.user.id);
    const me = await api.request("/api/account", { headers: auth.bearer(first.body.accessToken) });
    expect(me.status).to.equal(200);

    const second = await refreshed(first.token);
    expect(second.token).to.not.equal(first.token);

    const rows = await api.orm.em
      .fork()
      .find(RefreshToken, { user: session.user.id }, { orderBy: { createdAt: "asc" } });
    expect(rows).to.have.length(3);
    expect(new Set(rows.map((row) => row.familyId)).size).to.equal(1);
    expect(rows[0].replacedBy).to.equal(rows[1].id);
    expect(rows[0].usedAt).to.be.instanceOf(Date);
  });

  it("revokes the whole family when a rotated token is reused, so the newest token fails too", async function () {
    const session = await auth.register(nextEmail());
    const stolen = session.refreshToken;
    const legit = await refreshed(stolen);

    const reuse = await auth.refresh(stolen);
    await expectRefused(reuse, /already used; every session of this sign-in has ended/);
    expect(reuse.headers.getSetCookie()[0]).to.match(/^__Secure-agridao_refresh=; .*Max-Age=0/);
    await expectRefused(await auth.refresh(legit.token), /session has ended/);

    const warning = api.logs.find((line) => line.msg === "refresh token reused after rotation: revoked its family");
    expect(warning).to.include({ userId: session.user.id, level: 40 });

    const other = await auth.logIn(session.user.email ?? "");
    expect(other.status, "a new sign-in still works").to.equal(200);
  });

  it("refuses refresh without an allowed Origin, and does not spend the token", async function () {
    const session = await auth.register(nextEmail());
    const missing = await auth.refresh(session.refreshToken, null);
    expect(missing.status).to.equal(403);
    expect(((await missing.json()) as ErrorBody).error.code).to.equal("forbidden");
    expect((await auth.refresh(session.refreshToken, "https://evil.example")).status).to.equal(403);
    await refreshed(session.refreshToken);
  });

  it("answers 401 without a refresh cookie or with an unknown one", async function () {
    await expectRefused(await auth.refresh(undefined), /No refresh token/);
    await expectRefused(await auth.refresh("made-up-token"), /refresh token is invalid/);
  });

  it("lets exactly one of two concurrent refreshes with one token win, and treats the other as reuse", async function () {
    const session = await auth.register(nextEmail());
    const [a, b] = await Promise.all([auth.refresh(session.refreshToken), auth.refresh(session.refreshToken)]);
    expect([a.status, b.status].sort()).to.deep.equal([200, 401]);
    const winner = a.status === 200 ? a : b;
    await expectRefused(await auth.refresh(refreshTokenOf(winner)), /session has ended/);
  });

  it("logs out this session only, clearing the cookie", async function () {
    const email = nextEmail();
    const phone = await auth.register(email);
    const laptop = { refreshToken: refreshTokenOf(await auth.logIn(email)) };

    expect((await auth.logOut(phone.refreshToken, null)).status).to.equal(403);
    const logout = await auth.logOut(phone.refreshToken);
    expect(logout.status).to.equal(204);
    expect(logout.headers.getSetCookie()[0]).to.match(/^__Secure-agridao_refresh=; Path=\/api\/auth; .*Max-Age=0/);
    await expectRefused(await auth.refresh(phone.refreshToken), /session has ended/);
    await refreshed(laptop.refreshToken);
  });

  it("logs out every session of the account", async function () {
    const email = nextEmail();
    const phone = await auth.register(email);
    const laptopLogin = await auth.logIn(email);
    const laptop = refreshTokenOf(laptopLogin);
    const other = await auth.register(nextEmail());

    const all = await api.request("/api/auth/logout-all", { method: "POST", headers: auth.bearer(phone.accessToken) });
    expect(all.status).to.equal(204);
    await expectRefused(await auth.refresh(phone.refreshToken), /session has ended/);
    await expectRefused(await auth.refresh(laptop), /session has ended/);
    await refreshed(other.refreshToken);
  });

  it("answers 401 to logout-all without an access token", async function () {
    const response = await api.request("/api/auth/logout-all", { method: "POST" });
    expect(response.status).to.equal(401);
  });

  it("refuses an expired refresh token", async function () {
    const session = await auth.register(nextEmail());
    await api.orm.em
      .fork()
      .nativeUpdate(
        RefreshToken,
        { tokenHash: hashRefreshToken(session.refreshToken) },
        { expiresAt: new Date(Date.now() - 1000) },
      );
    await expectRefused(await auth.refresh(session.refreshToken), /session has expired/);
  });
});
