import { randomUUID } from "node:crypto";

import { expect } from "chai";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { RefreshToken } from "../../api/src/entities/RefreshToken.js";
import { User } from "../../api/src/entities/User.js";
import { Wallet } from "../../api/src/entities/Wallet.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { GOOD_PASSWORD, WEB_ORIGIN, createAuthClient } from "../support/auth-client.js";
import type { SignedInBody } from "../support/auth-client.js";

type ErrorBody = { error: { code: string; message: string; details?: { issues?: { path: string }[] } } };
type Account = SignedInBody["user"] & { hasPassword: boolean };

const newWallet = () => privateKeyToAccount(generatePrivateKey());

describe("Account", function () {
  let api: ApiTestApp;
  let auth: ReturnType<typeof createAuthClient>;
  let counter = 0;
  const nextEmail = () => `account-${++counter}@example.com`;

  before(async function () {
    api = await startApiApp({ store: "redis", env: { CORS_ORIGINS: WEB_ORIGIN } });
    auth = createAuthClient(api);
  });

  after(async function () {
    await api?.close();
  });

  const as = (token: string, method: string, path: string, body?: unknown) =>
    auth.json(method, path, body, auth.bearer(token));

  const expectError = async (response: Response, status: number, code: string) => {
    const body = (await response.json()) as ErrorBody;
    expect(response.status, JSON.stringify(body)).to.equal(status);
    expect(body.error.code).to.equal(code);
    return body;
  };

  describe("GET /api/account", function () {
    it("describes the signed-in account without secrets", async function () {
      const session = await auth.register(nextEmail());
      const response = await as(session.accessToken, "GET", "/api/account");
      expect(response.status).to.equal(200);
      expect(response.headers.get("cache-control")).to.equal("private, no-store");
      const account = (await response.json()) as Record<string, unknown>;
      expect(account).to.include({ id: session.user.id, email: session.user.email, hasPassword: true });
      expect(account).to.have.keys(["id", "email", "roles", "hasPassword", "wallets", "terms", "createdAt"]);
    });

    it("answers 401 without a token", async function () {
      await expectError(await api.request("/api/account"), 401, "unauthorized");
    });

    it("answers 401 to a valid token whose account does not exist", async function () {
      const { token } = await api.accessTokens.issue({ id: randomUUID(), roles: ["buyer"] });
      await expectError(await as(token, "GET", "/api/account"), 401, "unauthorized");
    });
  });

  describe("linking and unlinking wallets", function () {
    it("links a wallet to an email account, which then signs into that account", async function () {
      const session = await auth.register(nextEmail());
      const wallet = newWallet();
      const linked = await as(
        session.accessToken,
        "POST",
        "/api/account/wallets",
        await auth.siweProof({ account: wallet }),
      );
      expect(linked.status).to.equal(201);
      const account = (await linked.json()) as Account;
      expect(account.wallets.map((w) => w.address)).to.deep.equal([wallet.address.toLowerCase()]);

      const again = await as(
        session.accessToken,
        "POST",
        "/api/account/wallets",
        await auth.siweProof({ account: wallet }),
      );
      expect(again.status).to.equal(200);

      const viaWallet = await auth.signInWithWallet({ account: wallet });
      expect(viaWallet.user.id).to.equal(session.user.id);
    });

    it("answers 409 when the wallet belongs to another account", async function () {
      const wallet = newWallet();
      await auth.signInWithWallet({ account: wallet });
      const session = await auth.register(nextEmail());
      const response = await as(
        session.accessToken,
        "POST",
        "/api/account/wallets",
        await auth.siweProof({ account: wallet }),
      );
      await expectError(response, 409, "conflict");
    });

    it("refuses a proof with a spent nonce, a malformed body, and an anonymous caller", async function () {
      const session = await auth.register(nextEmail());
      const proof = await auth.siweProof({ account: newWallet() });
      expect((await as(session.accessToken, "POST", "/api/account/wallets", proof)).status).to.equal(201);
      const replay = await as(session.accessToken, "POST", "/api/account/wallets", proof);
      await expectError(replay, 401, "unauthorized");

      const invalid = await expectError(
        await as(session.accessToken, "POST", "/api/account/wallets", { message: proof.message }),
        400,
        "validation_failed",
      );
      expect(invalid.error.details?.issues?.map((issue) => issue.path)).to.deep.equal(["body.signature"]);
      await expectError(await auth.json("POST", "/api/account/wallets", proof), 401, "unauthorized");
    });

    it("never unlinks an account's last way to sign in", async function () {
      const wallet = newWallet();
      const session = await auth.signInWithWallet({ account: wallet });
      const response = await as(session.accessToken, "DELETE", `/api/account/wallets/${wallet.address}`);
      const body = await expectError(response, 409, "conflict");
      expect(body.error.message).to.match(/only way to sign in/);
      expect(await api.orm.em.fork().count(Wallet, { address: wallet.address.toLowerCase() })).to.equal(1);
    });

    it("unlinks a wallet when another way to sign in remains", async function () {
      const [first, second] = [newWallet(), newWallet()];
      const session = await auth.signInWithWallet({ account: first });
      await as(session.accessToken, "POST", "/api/account/wallets", await auth.siweProof({ account: second }));
      const response = await as(session.accessToken, "DELETE", `/api/account/wallets/${first.address}`);
      expect(response.status).to.equal(200);
      const account = (await response.json()) as Account;
      expect(account.wallets.map((w) => w.address)).to.deep.equal([second.address.toLowerCase()]);
    });

    it("answers 404 for someone else's wallet and 400 for a malformed address", async function () {
      const victim = newWallet();
      await auth.signInWithWallet({ account: victim });
      const session = await auth.register(nextEmail());
      await expectError(
        await as(session.accessToken, "DELETE", `/api/account/wallets/${victim.address}`),
        404,
        "not_found",
      );
      expect(await api.orm.em.fork().count(Wallet, { address: victim.address.toLowerCase() })).to.equal(1);
      await expectError(
        await as(session.accessToken, "DELETE", "/api/account/wallets/0x1234"),
        400,
        "validation_failed",
      );
    });
  });

  describe("adding an email and password", function () {
    it("lets a wallet account add an email and password, then log in with them", async function () {
      const session = await auth.signInWithWallet({ account: newWallet() });
      const email = nextEmail();
      const response = await as(session.accessToken, "POST", "/api/account/email", { email, password: GOOD_PASSWORD });
      expect(response.status).to.equal(200);
      expect(await response.json()).to.include({ email, hasPassword: true });
      const login = await auth.logIn(email);
      expect(login.status).to.equal(200);
      expect(((await login.json()) as SignedInBody).user.id).to.equal(session.user.id);
    });

    it("answers 409 for an email another account uses, or an account that has one", async function () {
      const taken = nextEmail();
      const owner = await auth.register(taken);
      const session = await auth.signInWithWallet({ account: newWallet() });
      const conflict = await as(session.accessToken, "POST", "/api/account/email", {
        email: taken,
        password: GOOD_PASSWORD,
      });
      await expectError(conflict, 409, "conflict");
      const already = await as(owner.accessToken, "POST", "/api/account/email", {
        email: nextEmail(),
        password: GOOD_PASSWORD,
      });
      await expectError(already, 409, "conflict");
    });

    it("applies the password rules", async function () {
      const session = await auth.signInWithWallet({ account: newWallet() });
      const response = await as(session.accessToken, "POST", "/api/account/email", {
        email: nextEmail(),
        password: "qwerty123456",
      });
      const body = await expectError(response, 400, "validation_failed");
      expect(body.error.details?.issues?.map((issue) => issue.path)).to.deep.equal(["body.password"]);
    });
  });

  describe("export", function () {
    it("downloads the user's own data as a JSON attachment, without secrets", async function () {
      const email = nextEmail();
      const session = await auth.register(email);
      const wallet = newWallet();
      await as(session.accessToken, "POST", "/api/account/wallets", await auth.siweProof({ account: wallet }));
      const response = await as(session.accessToken, "GET", "/api/account/export");
      expect(response.status).to.equal(200);
      expect(response.headers.get("content-disposition")).to.match(/^attachment; filename="agridao-account-.+\.json"$/);
      const text = await response.text();
      const data = JSON.parse(text) as {
        account: Account;
        sessions: { familyId: string; revokedAt: string | null }[];
      };
      expect(data.account).to.include({ id: session.user.id, email });
      expect(data.account.wallets.map((w) => w.address)).to.deep.equal([wallet.address.toLowerCase()]);
      expect(data.sessions).to.have.length(1);
      expect(text).to.not.match(/argon2|tokenHash|passwordHash/);
    });

    it("answers 401 without a token", async function () {
      await expectError(await api.request("/api/account/export"), 401, "unauthorized");
    });
  });

  describe("deletion", function () {
    it("requires the password, then anonymises the account and blocks every way back in", async function () {
      const email = nextEmail();
      const session = await auth.register(email);
      const wallet = newWallet();
      await as(session.accessToken, "POST", "/api/account/wallets", await auth.siweProof({ account: wallet }));

      await expectError(
        await as(session.accessToken, "DELETE", "/api/account", { password: "wrong-password-x" }),
        401,
        "unauthorized",
      );
      await expectError(await as(session.accessToken, "DELETE", "/api/account", {}), 400, "validation_failed");
      const deleted = await as(session.accessToken, "DELETE", "/api/account", { password: GOOD_PASSWORD });
      expect(deleted.status).to.equal(204);
      expect(deleted.headers.getSetCookie()[0]).to.match(/^__Secure-agridao_refresh=; .*Max-Age=0/);

      const row = await api.orm.em.fork().findOneOrFail(User, { id: session.user.id });
      expect(row).to.include({ email: null, passwordHash: null, tosVersion: null, tosAcceptedAt: null });
      expect(row.deletedAt).to.be.instanceOf(Date);
      expect(await api.orm.em.fork().count(Wallet, { user: session.user.id })).to.equal(0);
      expect(await api.orm.em.fork().count(RefreshToken, { user: session.user.id, revokedAt: null })).to.equal(0);

      expect((await auth.logIn(email)).status).to.equal(401);
      expect((await auth.refresh(session.refreshToken)).status).to.equal(401);
      await expectError(await as(session.accessToken, "GET", "/api/account"), 401, "unauthorized");
      const returning = await auth.signInWithWallet({ account: wallet });
      expect(returning.user.id, "the wallet starts a new, empty account").to.not.equal(session.user.id);
    });

    it("accepts a fresh SIWE proof from one of the account's wallets, and no other", async function () {
      const wallet = newWallet();
      const session = await auth.signInWithWallet({ account: wallet });
      const stranger = await as(session.accessToken, "DELETE", "/api/account", {
        siwe: await auth.siweProof({ account: newWallet() }),
      });
      await expectError(stranger, 401, "unauthorized");
      const own = await as(session.accessToken, "DELETE", "/api/account", {
        siwe: await auth.siweProof({ account: wallet }),
      });
      expect(own.status).to.equal(204);
      expect((await api.orm.em.fork().findOneOrFail(User, { id: session.user.id })).deletedAt).to.be.instanceOf(Date);
    });
  });

  describe("roles", function () {
    async function signedInAdmin(): Promise<{ id: string; token: string }> {
      const session = await auth.register(nextEmail());
      await api.orm.em.fork().nativeUpdate(User, { id: session.user.id }, { roles: ["admin"] });
      return {
        id: session.user.id,
        token: (await api.accessTokens.issue({ id: session.user.id, roles: ["admin"] })).token,
      };
    }

    it("lets a user become a farmer and answers a token carrying the role", async function () {
      const session = await auth.register(nextEmail());
      const response = await as(session.accessToken, "POST", "/api/account/become-farmer");
      expect(response.status).to.equal(200);
      const body = (await response.json()) as SignedInBody;
      expect(body.user.roles).to.deep.equal(["buyer", "farmer"]);
      expect((await api.accessTokens.verify(body.accessToken)).roles).to.deep.equal(["buyer", "farmer"]);
      await expectError(await auth.json("POST", "/api/account/become-farmer"), 401, "unauthorized");
    });

    it("lets an admin set another user's roles, effective at their next refresh", async function () {
      const admin = await auth.register(nextEmail());
      await api.orm.em.fork().nativeUpdate(User, { id: admin.user.id }, { roles: ["admin"] });
      const { token } = await api.accessTokens.issue({ id: admin.user.id, roles: ["admin"] });
      const target = await auth.register(nextEmail());

      const response = await as(token, "PUT", `/api/admin/users/${target.user.id}/roles`, {
        roles: ["arbiter", "buyer"],
      });
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ id: target.user.id, roles: ["buyer", "arbiter"] });

      const refreshed = await auth.refresh(target.refreshToken);
      const body = (await refreshed.json()) as SignedInBody;
      expect((await api.accessTokens.verify(body.accessToken)).roles).to.deep.equal(["buyer", "arbiter"]);
    });

    it("refuses role changes to non-admins (403), anonymous callers (401), bad input (400) and unknown users (404)", async function () {
      const buyer = await auth.register(nextEmail());
      const path = `/api/admin/users/${buyer.user.id}/roles`;
      await expectError(await as(buyer.accessToken, "PUT", path, { roles: ["admin"] }), 403, "forbidden");
      await expectError(await auth.json("PUT", path, { roles: ["admin"] }), 401, "unauthorized");

      const { token } = await signedInAdmin();
      await expectError(await as(token, "PUT", path, { roles: ["root"] }), 400, "validation_failed");
      await expectError(await as(token, "PUT", path, { roles: [] }), 400, "validation_failed");
      await expectError(
        await as(token, "PUT", "/api/admin/users/not-a-uuid/roles", { roles: ["buyer"] }),
        400,
        "validation_failed",
      );
      await expectError(
        await as(token, "PUT", `/api/admin/users/${randomUUID()}/roles`, { roles: ["buyer"] }),
        404,
        "not_found",
      );
      expect((await api.orm.em.fork().findOneOrFail(User, { id: buyer.user.id })).roles).to.deep.equal(["buyer"]);
    });

    it("stops an admin whose role was removed, or whose account was deleted, with the token issued before", async function () {
      const [demoted, deleted, remaining] = [await signedInAdmin(), await signedInAdmin(), await signedInAdmin()];
      const target = await auth.register(nextEmail());
      const path = `/api/admin/users/${target.user.id}/roles`;

      const demoting = await as(remaining.token, "PUT", `/api/admin/users/${demoted.id}/roles`, { roles: ["buyer"] });
      expect(demoting.status).to.equal(200);
      await expectError(await as(demoted.token, "PUT", path, { roles: ["admin"] }), 403, "forbidden");
      await api.orm.em.fork().nativeUpdate(User, { id: deleted.id }, { deletedAt: new Date() });
      await expectError(await as(deleted.token, "PUT", path, { roles: ["admin"] }), 401, "unauthorized");
      expect((await api.orm.em.fork().findOneOrFail(User, { id: target.user.id })).roles).to.deep.equal(["buyer"]);
    });

    it("does not let an admin remove their own admin role", async function () {
      const admin = await auth.register(nextEmail());
      await api.orm.em.fork().nativeUpdate(User, { id: admin.user.id }, { roles: ["admin"] });
      const { token } = await api.accessTokens.issue({ id: admin.user.id, roles: ["admin"] });
      const response = await as(token, "PUT", `/api/admin/users/${admin.user.id}/roles`, { roles: ["buyer"] });
      await expectError(response, 409, "conflict");
    });
  });
});
