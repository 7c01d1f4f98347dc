import { createSiweMessage } from "viem/siwe";
import type { CreateSiweMessageParameters } from "viem/siwe";
import type { Address, Hex, LocalAccount } from "viem";

import type { ApiTestApp } from "./api-app.js";

/** The web app's origin in auth tests: pass it as CORS_ORIGINS so refresh and logout accept it. */
export const WEB_ORIGIN = "http://shop.agridao.test";

/** The password every auth test account uses unless it says otherwise; passes the password rules. */
export const GOOD_PASSWORD = "furrow-harvest-lentil-42";

export interface SignedInBody {
  accessToken: string;
  expiresIn: number;
  user: { id: string; email: string | null; roles: string[]; wallets: { address: string }[] };
}

/** Who signs a SIWE message: a local key, optionally on behalf of another address (an ERC-1271 smart account). */
export interface SiweSigner {
  account: LocalAccount;
  /** The address the message names, when it is not the key's own (a smart account the key owns). */
  address?: Address;
}

/** Speaks to the auth API the way the web app would; each helper returns the raw Response for assertions. */
export function createAuthClient(api: ApiTestApp) {
  const json = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    api.request(path, {
      method,
      headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function nonce(): Promise<string> {
    const response = await api.request("/api/auth/siwe/nonce", { method: "POST" });
    if (response.status !== 201) throw new Error(`nonce: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { nonce: string }).nonce;
  }

  /** A SIWE message for this API (fresh nonce unless given) with any field overridden, and its signature. */
  async function siweProof(
    signer: SiweSigner,
    overrides: Partial<CreateSiweMessageParameters> = {},
  ): Promise<{ message: string; signature: Hex }> {
    const message = createSiweMessage({
      address: signer.address ?? signer.account.address,
      chainId: api.config.chainId,
      domain: api.config.siwe.domain,
      uri: api.config.siwe.uri,
      version: "1",
      issuedAt: new Date(),
      statement: "Sign in to AgriDAO",
      ...overrides,
      nonce: overrides.nonce ?? (await nonce()),
    });
    return { message, signature: await signer.account.signMessage({ message }) };
  }

  return {
    json,
    bearer,
    nonce,
    siweProof,
    verify: (proof: { message: string; signature: string }) => json("POST", "/api/auth/siwe/verify", proof),
    async signInWithWallet(signer: SiweSigner): Promise<SignedInBody & { refreshToken: string }> {
      const response = await json("POST", "/api/auth/siwe/verify", await siweProof(signer));
      if (response.status !== 200) throw new Error(`siwe: ${response.status} ${await response.text()}`);
      return { ...((await response.json()) as SignedInBody), refreshToken: refreshTokenOf(response) };
    },
    signUp: (email: string, password = GOOD_PASSWORD, extra: Record<string, unknown> = {}) =>
      json("POST", "/api/auth/signup", {
        email,
        password,
        acceptTerms: true,
        termsVersion: api.config.termsVersion,
        ...extra,
      }),
    logIn: (email: string, password = GOOD_PASSWORD) => json("POST", "/api/auth/login", { email, password }),
    /** Signs up and logs in; throws unless both succeed. */
    async register(email: string, password = GOOD_PASSWORD): Promise<SignedInBody & { refreshToken: string }> {
      const signedUp = await json("POST", "/api/auth/signup", {
        email,
        password,
        acceptTerms: true,
        termsVersion: api.config.termsVersion,
      });
      if (signedUp.status !== 202) throw new Error(`signup: ${signedUp.status} ${await signedUp.text()}`);
      const response = await json("POST", "/api/auth/login", { email, password });
      if (response.status !== 200) throw new Error(`login: ${response.status} ${await response.text()}`);
      return { ...((await response.json()) as SignedInBody), refreshToken: refreshTokenOf(response) };
    },
    /** `origin: null` sends no Origin header. */
    refresh: (refreshToken: string | undefined, origin: string | null = WEB_ORIGIN) =>
      api.request("/api/auth/refresh", {
        method: "POST",
        headers: {
          ...(origin === null ? {} : { Origin: origin }),
          ...(refreshToken === undefined ? {} : { Cookie: `__Secure-agridao_refresh=${refreshToken}` }),
        },
      }),
    logOut: (refreshToken: string, origin: string | null = WEB_ORIGIN) =>
      api.request("/api/auth/logout", {
        method: "POST",
        headers: { ...(origin === null ? {} : { Origin: origin }), Cookie: `__Secure-agridao_refresh=${refreshToken}` },
      }),
  };
}

/** The refresh token a response set in its cookie; throws if it set none. */
export function refreshTokenOf(response: Response): string {
  for (const cookie of response.headers.getSetCookie()) {
    const match = /^__Secure-agridao_refresh=([^;]+);/.exec(cookie);
    if (match !== null) return match[1];
  }
  throw new Error("the response set no refresh cookie");
}
