import { expect } from "chai";

import { User } from "../../api/src/entities/User.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { GOOD_PASSWORD, WEB_ORIGIN, createAuthClient } from "../support/auth-client.js";
import type { SignedInBody } from "../support/auth-client.js";

type ErrorBody = {
  error: { code: string; message: string; details?: { issues?: { path: string; message: string }[] } };
};

describe("Email and password accounts", function () {
  let api: ApiTestApp;
  let auth: ReturnType<typeof createAuthClient>;

  before(async function () {
    api = await startApiApp({ store: "redis", env: { CORS_ORIGINS: WEB_ORIGIN, TERMS_VERSION: "2026-11" } });
    auth = createAuthClient(api);
  });

  after(async function () {
    await api?.close();
  });

  const issuesOf = async (response: Response) => {
    expect(response.status).to.equal(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).to.equal("validation_failed");
    return body.error.details?.issues ?? [];
  };

  it("signs up, stores an argon2id hash and the accepted terms, then logs in", async function () {
    const signedUp = await auth.signUp("  Grower@Example.com ");
    expect(signedUp.status).to.equal(202);

    const stored = await api.orm.em.fork().findOneOrFail(User, { email: "grower@example.com" });
    expect(stored.passwordHash).to.match(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored.tosVersion).to.equal("2026-11");
    expect(stored.tosAcceptedAt).to.be.instanceOf(Date);
    expect(stored.roles).to.deep.equal(["buyer"]);

    const login = await auth.logIn("GROWER@example.com");
    expect(login.status).to.equal(200);
    const body = (await login.json()) as SignedInBody & { user: { terms: { version: string } } };
    expect(body.user).to.include({ id: stored.id, email: "grower@example.com" });
    expect(body.user.terms.version).to.equal("2026-11");
    expect(body).to.not.have.nested.property("user.passwordHash");
    expect(login.headers.getSetCookie()[0]).to.match(/^__Secure-agridao_refresh=/);
  });

  it("enforces the password rules with one issue per broken rule", async function () {
    const short = await issuesOf(await auth.signUp("rules@example.com", "short"));
    expect(short).to.deep.equal([{ path: "body.password", message: "The password must be at least 12 characters" }]);

    const long = await issuesOf(await auth.signUp("rules@example.com", "x".repeat(129)));
    expect(long.map((issue) => issue.message)).to.deep.equal(["The password must be at most 128 characters"]);

    const email = await issuesOf(await auth.signUp("rules.long@example.com", "Rules.Long@Example.com"));
    expect(email.map((issue) => issue.message)).to.deep.equal(["The password must not be your email address"]);

    const common = await issuesOf(await auth.signUp("rules@example.com", "Password1234"));
    expect(common.map((issue) => issue.message)).to.deep.equal(["The password is too common; choose another"]);

    expect((await auth.signUp("rules@example.com", "ünïcødé-påsswörd")).status).to.equal(202);
    expect(await api.orm.em.fork().count(User, { email: "rules.long@example.com" })).to.equal(0);
  });

  it("counts characters, not UTF-16 units, against the length rules", async function () {
    const elevenEmoji = "🌾".repeat(11);
    const issues = await issuesOf(await auth.signUp("emoji@example.com", elevenEmoji));
    expect(issues.map((issue) => issue.message)).to.deep.equal(["The password must be at least 12 characters"]);
    expect((await auth.signUp("emoji@example.com", "🌾".repeat(12))).status).to.equal(202);
  });

  it("requires accepting the current terms and a valid email", async function () {
    const notAccepted = await issuesOf(await auth.signUp("terms@example.com", GOOD_PASSWORD, { acceptTerms: false }));
    expect(notAccepted.map((issue) => issue.path)).to.deep.equal(["body.acceptTerms"]);

    const oldTerms = await issuesOf(await auth.signUp("terms@example.com", GOOD_PASSWORD, { termsVersion: "2025-01" }));
    expect(oldTerms).to.deep.equal([{ path: "body.termsVersion", message: "the current terms are version 2026-11" }]);

    const badEmail = await issuesOf(await auth.signUp("not an email"));
    expect(badEmail.map((issue) => issue.path)).to.deep.equal(["body.email"]);
  });

  it("answers a sign-up for a registered email exactly like a new one, and leaves the account alone", async function () {
    await auth.register("taken@example.com");
    const before = await api.orm.em.fork().findOneOrFail(User, { email: "taken@example.com" });

    const fresh = await auth.signUp("fresh@example.com", "another-long-passphrase");
    const taken = await auth.signUp("taken@example.com", "another-long-passphrase");
    expect(taken.status).to.equal(fresh.status);
    expect(await taken.json()).to.deep.equal(await fresh.json());

    const after = await api.orm.em.fork().findOneOrFail(User, { email: "taken@example.com" });
    expect(after.passwordHash).to.equal(before.passwordHash);
    expect((await auth.logIn("taken@example.com", "another-long-passphrase")).status).to.equal(401);
    expect((await auth.logIn("taken@example.com")).status).to.equal(200);
  });

  it("answers an unknown email and a wrong password with the same status and body", async function () {
    await auth.register("known@example.com");
    const wrongPassword = await auth.logIn("known@example.com", "not-the-right-password");
    const unknownEmail = await auth.logIn("nobody@example.com", "not-the-right-password");
    expect(wrongPassword.status).to.equal(401);
    expect(unknownEmail.status).to.equal(401);
    const wrongBody = await wrongPassword.text();
    expect(wrongBody).to.equal(await unknownEmail.text());
    expect(JSON.parse(wrongBody)).to.deep.equal({
      error: { code: "unauthorized", message: "Invalid email or password" },
    });
    expect(wrongPassword.headers.getSetCookie()).to.deep.equal([]);
  });

  it("refuses a login without a password with a 400 naming the field", async function () {
    const issues = await issuesOf(await auth.json("POST", "/api/auth/login", { email: "known@example.com" }));
    expect(issues.map((issue) => issue.path)).to.deep.equal(["body.password"]);
  });
});

describe("Sign-in rate limit", function () {
  let api: ApiTestApp;
  let auth: ReturnType<typeof createAuthClient>;

  before(async function () {
    api = await startApiApp({
      store: "redis",
      env: { TRUST_PROXY: "true" },
      rateLimitPolicies: { auth: { limit: 3, windowMs: 60_000 } },
    });
    auth = createAuthClient(api);
  });

  after(async function () {
    await api?.close();
  });

  it("answers 429 with Retry-After once the auth policy is spent", async function () {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      statuses.push((await auth.logIn("victim@example.com", `guess-number-${attempt}-xx`)).status);
    }
    expect(statuses).to.deep.equal([401, 401, 401]);
    const limited = await auth.logIn("victim@example.com", "guess-number-4-xx");
    expect(limited.status).to.equal(429);
    expect(Number(limited.headers.get("retry-after"))).to.be.within(1, 60);
    expect(((await limited.json()) as ErrorBody).error.code).to.equal("rate_limited");
  });

  it("limits attempts on one account even when they come from many addresses", async function () {
    const from = (ip: string, email: string) =>
      api.request("/api/auth/login", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Forwarded-For": ip },
        body: JSON.stringify({ email, password: "a-wrong-password-guess" }),
      });
    const statuses: number[] = [];
    for (let host = 1; host <= 4; host++)
      statuses.push((await from(`198.51.100.${host}`, "target@example.com")).status);
    expect(statuses).to.deep.equal([401, 401, 401, 429]);
    expect((await from("198.51.100.9", "someone.else@example.com")).status).to.equal(401);
  });
});
