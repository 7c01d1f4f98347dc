import { expect } from "chai";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Address } from "viem";

import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { WEB_ORIGIN, createAuthClient } from "../support/auth-client.js";
import type { SignedInBody } from "../support/auth-client.js";
import { freePort } from "../support/free-port.js";
import { startLocalNode } from "../support/local-node.js";

type ErrorBody = { error: { code: string; message: string; details?: { issues?: { path: string }[] } } };

const newAccount = () => privateKeyToAccount(generatePrivateKey());

describe("Sign-In with Ethereum", function () {
  let node: Awaited<ReturnType<typeof startLocalNode>>;
  let api: ApiTestApp;
  let auth: ReturnType<typeof createAuthClient>;

  before(async function () {
    node = await startLocalNode();
    api = await startApiApp({ store: "redis", env: { CHAIN_RPC_URL: node.url, CORS_ORIGINS: WEB_ORIGIN } });
    auth = createAuthClient(api);
  });

  after(async function () {
    await api?.close();
    await node?.stop();
  });

  const expectRefused = async (response: Response, message: RegExp) => {
    const body = (await response.json()) as ErrorBody;
    expect(response.status, JSON.stringify(body)).to.equal(401);
    expect(body.error.code).to.equal("unauthorized");
    expect(body.error.message).to.match(message);
  };

  it("issues distinct nonces kept in Redis, with what the message must name", async function () {
    const first = await api.request("/api/auth/siwe/nonce", { method: "POST" });
    const second = await api.request("/api/auth/siwe/nonce", { method: "POST" });
    expect(first.status).to.equal(201);
    expect(first.headers.get("cache-control")).to.equal("no-store");
    const a = (await first.json()) as {
      nonce: string;
      expiresAt: string;
      domain: string;
      uri: string;
      chainId: number;
    };
    const b = (await second.json()) as { nonce: string };
    expect(a.nonce).to.match(/^[0-9a-f]{32}$/);
    expect(a.nonce).to.not.equal(b.nonce);
    expect(a).to.include({ domain: api.config.siwe.domain, uri: api.config.siwe.uri, chainId: 31337 });
    expect(Date.parse(a.expiresAt)).to.be.greaterThan(Date.now());
    expect(api.store.kind).to.equal("redis");
    expect(await api.store.keyValue.get(`siwe-nonce:${a.nonce}`)).to.equal("1");
  });

  it("creates a buyer account on a wallet's first sign-in and signs into it afterwards", async function () {
    const wallet = newAccount();
    const response = await auth.verify(await auth.siweProof({ account: wallet }));
    expect(response.status).to.equal(200);
    const first = (await response.json()) as SignedInBody;
    expect(first.user.roles).to.deep.equal(["buyer"]);
    expect(first.user.email).to.equal(null);
    expect(first.user.wallets.map((w) => w.address)).to.deep.equal([wallet.address.toLowerCase()]);
    expect(first.expiresIn).to.be.within(api.config.jwt.accessTtlSeconds - 1, api.config.jwt.accessTtlSeconds);
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).to.match(/^__Secure-agridao_refresh=[A-Za-z0-9_-]{43}; /);
    for (const attribute of ["Path=/api/auth", "HttpOnly", "Secure", "SameSite=Strict"]) {
      expect(cookie.split("; ")).to.include(attribute);
    }

    const me = await api.request("/api/account", { headers: auth.bearer(first.accessToken) });
    expect(me.status).to.equal(200);
    expect(((await me.json()) as { id: string }).id).to.equal(first.user.id);

    const again = await auth.signInWithWallet({ account: wallet });
    expect(again.user.id).to.equal(first.user.id);
  });

  it("refuses a replayed nonce", async function () {
    const proof = await auth.siweProof({ account: newAccount() });
    expect((await auth.verify(proof)).status).to.equal(200);
    await expectRefused(await auth.verify(proof), /nonce is unknown, expired or already used/);
  });

  it("refuses a nonce the server never issued", async function () {
    const proof = await auth.siweProof({ account: newAccount() }, { nonce: "0123456789abcdef0123456789abcdef" });
    await expectRefused(await auth.verify(proof), /nonce is unknown/);
  });

  it("refuses a message for another domain", async function () {
    const proof = await auth.siweProof({ account: newAccount() }, { domain: "evil.example" });
    await expectRefused(await auth.verify(proof), /is for evil\.example/);
  });

  it("refuses a message whose URI is on another site", async function () {
    const proof = await auth.siweProof({ account: newAccount() }, { uri: "https://evil.example/login" });
    await expectRefused(await auth.verify(proof), /URI is not on/);
  });

  it("refuses a message for another chain", async function () {
    const proof = await auth.siweProof({ account: newAccount() }, { chainId: 1 });
    await expectRefused(await auth.verify(proof), /for chain 1; sign in on chain 31337/);
  });

  it("refuses an expired message", async function () {
    const proof = await auth.siweProof(
      { account: newAccount() },
      { issuedAt: new Date(Date.now() - 120_000), expirationTime: new Date(Date.now() - 60_000) },
    );
    await expectRefused(await auth.verify(proof), /has expired/);
  });

  it("refuses a message issued in the future", async function () {
    const proof = await auth.siweProof({ account: newAccount() }, { issuedAt: new Date(Date.now() + 10 * 60_000) });
    await expectRefused(await auth.verify(proof), /issued in the future/);
  });

  it("refuses a message issued too long ago", async function () {
    const issuedAt = new Date(Date.now() - (api.config.siwe.maxAgeSeconds + 60) * 1000);
    const proof = await auth.siweProof({ account: newAccount() }, { issuedAt });
    await expectRefused(await auth.verify(proof), /issued too long ago/);
  });

  it("refuses a message that is not valid yet", async function () {
    const proof = await auth.siweProof({ account: newAccount() }, { notBefore: new Date(Date.now() + 60 * 60_000) });
    await expectRefused(await auth.verify(proof), /not valid yet/);
  });

  it("answers 400 with the field at fault for a malformed message or signature", async function () {
    const malformed = await auth.verify({ message: "I am the owner, trust me", signature: `0x${"11".repeat(65)}` });
    expect(malformed.status).to.equal(400);
    const body = (await malformed.json()) as ErrorBody;
    expect(body.error.code).to.equal("validation_failed");
    expect(body.error.details?.issues?.map((issue) => issue.path)).to.deep.equal(["body.message"]);

    const badSignature = await auth.verify({ message: "whatever", signature: "not-hex" });
    expect(badSignature.status).to.equal(400);
    expect(((await badSignature.json()) as ErrorBody).error.details?.issues?.map((i) => i.path)).to.deep.equal([
      "body.signature",
    ]);
  });

  it("refuses a signature by another key, and one that is not a signature at all", async function () {
    const wallet = newAccount();
    const proof = await auth.siweProof({ account: wallet });
    const forged = await newAccount().signMessage({ message: proof.message });
    await expectRefused(await auth.verify({ message: proof.message, signature: forged }), /signature does not match/);

    const other = await auth.siweProof({ account: wallet });
    await expectRefused(
      await auth.verify({ message: other.message, signature: `0x${"ab".repeat(65)}` }),
      /signature does not match/,
    );
  });

  it("lets exactly one of many concurrent verifications of one nonce succeed", async function () {
    const proof = await auth.siweProof({ account: newAccount() });
    const responses = await Promise.all(Array.from({ length: 12 }, () => auth.verify(proof)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 200)).to.have.length(1);
    expect(statuses.filter((status) => status === 401)).to.have.length(11);
  });

  describe("with an ERC-1271 smart account", function () {
    let owner: ReturnType<typeof newAccount>;
    let smartAccount: Address;

    before(async function () {
      owner = newAccount();
      const contract = await node.connection.ethers.deployContract("MockSmartAccount", [owner.address]);
      await contract.waitForDeployment();
      smartAccount = (await contract.getAddress()) as Address;
    });

    it("signs the smart account in with its owner's signature, checked on chain", async function () {
      const response = await auth.verify(await auth.siweProof({ account: owner, address: smartAccount }));
      expect(response.status).to.equal(200);
      const body = (await response.json()) as SignedInBody;
      expect(body.user.wallets.map((w) => w.address)).to.deep.equal([smartAccount.toLowerCase()]);
    });

    it("refuses a signature by a key that does not own the smart account", async function () {
      const response = await auth.verify(await auth.siweProof({ account: newAccount(), address: smartAccount }));
      await expectRefused(response, /signature does not match/);
    });
  });

  it("answers 503 when a signature needs the chain and the RPC does not answer", async function () {
    const offline = await startApiApp({ env: { CHAIN_RPC_URL: `http://127.0.0.1:${await freePort()}` } });
    try {
      const offlineAuth = createAuthClient(offline);
      const owner = newAccount();
      const proof = await offlineAuth.siweProof({ account: owner, address: newAccount().address });
      const response = await offlineAuth.verify(proof);
      expect(response.status).to.equal(503);
      expect(((await response.json()) as ErrorBody).error.code).to.equal("service_unavailable");

      const keySignIn = await offlineAuth.verify(await offlineAuth.siweProof({ account: owner }));
      expect(keySignIn.status, "a key's signature is checked without the chain").to.equal(200);
    } finally {
      await offline.close();
    }
  });
});
