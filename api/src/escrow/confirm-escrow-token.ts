import { setTimeout as sleep } from "node:timers/promises";

import type { Logger } from "pino";
import {
  BaseError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  createPublicClient,
  erc20Abi,
  http,
} from "viem";

import { LOCAL_CHAIN_ID } from "../../../protocol/local-chain-id.js";
import { ApiConfigError } from "../config.js";
import type { ApiConfig } from "../config.js";

/** How long start-up waits for CHAIN_RPC_URL to answer, retrying with backoff, before it gives up. */
export interface ChainWait {
  firstDelayMs: number;
  maxDelayMs: number;
  /** The API stops, naming CHAIN_RPC_URL, once the RPC has not answered for this long. */
  maxWaitMs: number;
}

const DEFAULT_WAIT: ChainWait = { firstDelayMs: 1_000, maxDelayMs: 10_000, maxWaitMs: 60_000 };

/**
 * Reads the escrow stablecoin's `decimals()` from the chain, which every escrow amount is computed with: the returned
 * configuration carries the chain's value. ESCROW_TOKEN_DECIMALS, when set, must agree, else the API must not start:
 * it would ask buyers for 10^12 times too much or too little. A token address that answers no `decimals()` is no
 * stablecoin and stops it too. While CHAIN_RPC_URL does not answer it retries with backoff, then stops naming it: the
 * API never takes escrow payments with decimals it has not read. Without an escrow and token there is nothing to read.
 * On the local chain (31337) the deployment in the generated file may belong to a chain that is gone (a dev stack
 * stopped, or restarted since): there the API starts at once without escrow payments (checkout says so with 422
 * payment_method_unavailable) and logs why, rather than refuse to start.
 */
export async function confirmEscrowToken(
  config: ApiConfig,
  deps: { log: Logger; wait?: ChainWait },
): Promise<ApiConfig> {
  const { escrow, chainId, chainRpcUrl } = config;
  if (escrow.address === undefined || escrow.tokenAddress === undefined) return config;
  const token = escrow.tokenAddress;
  const wait = deps.wait ?? DEFAULT_WAIT;
  // Start-up does its own retrying, and says so in the log.
  const client = createPublicClient({ transport: http(chainRpcUrl, { retryCount: 0 }) });
  const started = Date.now();
  let delayMs = wait.firstDelayMs;
  for (;;) {
    let decimals: number;
    try {
      decimals = await client.readContract({ address: token, abi: erc20Abi, functionName: "decimals" });
    } catch (error) {
      if (chainId === LOCAL_CHAIN_ID) {
        deps.log.warn(
          { err: error, chainRpcUrl, token },
          "escrow payments are off: the local chain's stablecoin cannot be read (is the dev chain running?)",
        );
        return { ...config, escrow: { ...escrow, tokenAddress: undefined } };
      }
      if (answeredNoDecimals(error)) {
        throw new ApiConfigError([
          `ESCROW_TOKEN_ADDRESS: ${token} answers no decimals() on chain ${chainId} (read through CHAIN_RPC_URL ` +
            `${chainRpcUrl}), so it is not the stablecoin; set ESCROW_TOKEN_ADDRESS (or deploy to this chain) ` +
            `(${firstLine(error)})`,
        ]);
      }
      const waited = Date.now() - started;
      if (waited >= wait.maxWaitMs) {
        throw new ApiConfigError([
          `CHAIN_RPC_URL: ${chainRpcUrl} did not answer for ${Math.round(waited / 1000)} s (${firstLine(error)}); ` +
            "the API reads the stablecoin's decimals (ESCROW_TOKEN_DECIMALS) from the chain before it takes escrow " +
            "payments",
        ]);
      }
      deps.log.warn(
        { err: error, chainRpcUrl, token, retryInMs: delayMs },
        "the chain RPC does not answer: retrying before reading the stablecoin's decimals",
      );
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, wait.maxDelayMs);
      continue;
    }
    if (escrow.tokenDecimals !== undefined && escrow.tokenDecimals !== decimals) {
      throw new ApiConfigError([
        `ESCROW_TOKEN_DECIMALS: is ${escrow.tokenDecimals}, but the stablecoin ${token} on chain ${chainId} has ` +
          `${decimals} decimals (read through CHAIN_RPC_URL); correct ESCROW_TOKEN_DECIMALS or unset it`,
      ]);
    }
    deps.log.info({ token, decimals }, "read the stablecoin's decimals from the chain");
    return { ...config, escrow: { ...escrow, tokenDecimals: decimals } };
  }
}

/** The chain answered, and not with decimals: no code at the address, or a revert. Anything else is the RPC's trouble. */
function answeredNoDecimals(error: unknown): boolean {
  return (
    error instanceof BaseError &&
    error.walk(
      (cause) => cause instanceof ContractFunctionZeroDataError || cause instanceof ContractFunctionRevertedError,
    ) !== null
  );
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
