import { BlockNotFoundError, createPublicClient, http } from "viem";
import type { Address, Hex, Log, PublicClient } from "viem";

import { RpcRangeTooLargeError, RpcRequestRejectedError, RpcUnavailableError, classifyRpcError } from "./rpc-errors.js";

/** What the sync engine needs to know of a block. */
export interface BlockHeader {
  number: bigint;
  hash: Hex;
  parentHash: Hex;
  timestamp: bigint;
}

/** The node, as the sync engine uses it: every call retried on transient failures, every failure typed. */
export interface IndexerRpc {
  getHeadNumber(): Promise<bigint>;
  /** The canonical block at `number`, or undefined when the chain is not that long (yet, or any more). */
  getHeader(number: bigint): Promise<BlockHeader | undefined>;
  getLogsInRange(addresses: readonly Address[], fromBlock: bigint, toBlock: bigint): Promise<Log[]>;
  getLogsOfBlock(addresses: readonly Address[], blockHash: Hex): Promise<Log[]>;
}

export interface RetryPolicy {
  /** Tries per call, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 5_000 };

export interface IndexerRpcDeps {
  client: PublicClient;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** A viem client for the indexer: viem's own retries are off, since `createIndexerRpc` owns the retry policy. */
export function createRpcClient(url: string, timeoutMs = 10_000): PublicClient {
  return createPublicClient({ transport: http(url, { retryCount: 0, timeout: timeoutMs }) });
}

export function createIndexerRpc({
  client,
  retry = DEFAULT_RETRY_POLICY,
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random = Math.random,
}: IndexerRpcDeps): IndexerRpc {
  async function call<T>(method: string, request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        const kind = classifyRpcError(error);
        if (kind === "range-too-large") throw new RpcRangeTooLargeError(method, error);
        if (kind === "fatal") throw new RpcRequestRejectedError(method, error);
        if (attempt >= retry.attempts) throw new RpcUnavailableError(method, attempt, error);
        // Full jitter: concurrent indexers hitting the same rate limit spread out instead of retrying in step.
        const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
        await sleep(Math.round(random() * ceiling));
      }
    }
  }

  return {
    getHeadNumber: () => call("eth_blockNumber", () => client.getBlockNumber({ cacheTime: 0 })),
    getHeader: (number) =>
      call("eth_getBlockByNumber", async () => {
        try {
          const block = await client.getBlock({ blockNumber: number });
          return { number: block.number, hash: block.hash, parentHash: block.parentHash, timestamp: block.timestamp };
        } catch (error) {
          if (error instanceof BlockNotFoundError) return undefined;
          throw error;
        }
      }),
    getLogsInRange: (addresses, fromBlock, toBlock) =>
      call("eth_getLogs", () => client.getLogs({ address: [...addresses], fromBlock, toBlock })),
    getLogsOfBlock: (addresses, blockHash) =>
      call("eth_getLogs", () => client.getLogs({ address: [...addresses], blockHash })),
  };
}
