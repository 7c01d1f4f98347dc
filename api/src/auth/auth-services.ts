import { createPublicClient, http } from "viem";

import type { ApiMetrics } from "../api-metrics.js";
import type { ApiConfig } from "../config.js";
import type { RateLimitWindow } from "../stores/store.js";
import type { Store } from "../stores/store.js";
import type { AccessTokens } from "./access-tokens.js";
import { createAccountRateLimit } from "./account-rate-limit.js";
import { createPasswordHasher } from "./password-hasher.js";
import { createRefreshTokens } from "./refresh-tokens.js";
import { createSessions } from "./sessions.js";
import { createSiweMessageVerifier } from "./siwe-message-verifier.js";
import { createSiweNonces } from "./siwe-nonces.js";

/** The services behind sign-in and accounts, built once per app from its configuration and shared stores. */
export function createAuthServices({
  config,
  store,
  accessTokens,
  metrics,
  authRateLimit,
  fetch,
}: {
  config: ApiConfig;
  store: Store;
  accessTokens: AccessTokens;
  metrics: ApiMetrics;
  /** The `auth` rate-limit policy, also applied per account named in a sign-in. */
  authRateLimit: RateLimitWindow;
  /** The fetch used to reach the chain RPC, which verifies smart-account (ERC-1271) signatures. */
  fetch?: typeof globalThis.fetch;
}) {
  const publicClient = createPublicClient({
    transport: http(config.chainRpcUrl, { fetchFn: fetch, retryCount: 1, timeout: 10_000 }),
  });
  const nonces = createSiweNonces({ keyValue: store.keyValue, ttlSeconds: config.siwe.nonceTtlSeconds });
  const refreshTokens = createRefreshTokens({ ttlSeconds: config.refreshTtlSeconds });
  return {
    config,
    nonces,
    verifySiwe: createSiweMessageVerifier({ siwe: config.siwe, chainId: config.chainId, nonces, publicClient }),
    hasher: createPasswordHasher(),
    refreshTokens,
    sessions: createSessions({ accessTokens, refreshTokens }),
    limitAccount: createAccountRateLimit({ limiter: store.rateLimiter, policy: authRateLimit, metrics }),
  };
}

export type AuthServices = ReturnType<typeof createAuthServices>;
