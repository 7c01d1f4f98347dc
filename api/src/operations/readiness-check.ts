import type { MikroORM } from "@mikro-orm/postgresql";

import { readCheckpointBlock } from "../chain-reads/checkpoints.js";
import type { Store } from "../stores/store.js";

export interface ReadinessCheck {
  ok: boolean;
  error?: string;
  [detail: string]: unknown;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, ReadinessCheck>;
}

const RPC_TIMEOUT_MS = 3_000;

/**
 * Whether this replica can serve: the database answers, Redis answers (when configured), the chain RPC is the
 * configured chain, and the indexer's checkpoint is within `maxLagBlocks` of the chain head.
 */
export function createReadinessCheck(deps: {
  orm: MikroORM;
  store: Store;
  chainId: number;
  chainRpcUrl: string;
  maxLagBlocks: number;
  fetch?: typeof fetch;
  /** Receives what a check threw; the public report only says which check failed. */
  onCheckError?: (check: string, error: unknown) => void;
}): () => Promise<ReadinessReport> {
  const fetchJson = deps.fetch ?? fetch;

  async function rpc(method: string): Promise<string> {
    const response = await fetchJson(deps.chainRpcUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }),
      signal: AbortSignal.timeout(RPC_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`${method} answered HTTP ${response.status}`);
    const payload = (await response.json()) as { result?: unknown; error?: { message?: string } };
    if (typeof payload.result !== "string")
      throw new Error(`${method} failed: ${payload.error?.message ?? "no result"}`);
    return payload.result;
  }

  const database = async (): Promise<ReadinessCheck> => {
    await deps.orm.em.getConnection().execute("SELECT 1");
    return { ok: true };
  };

  const store = async (): Promise<ReadinessCheck> => {
    await deps.store.ping();
    return { ok: true, kind: deps.store.kind };
  };

  type ChainHead = Promise<{ chainId: number; head: bigint }>;
  const readChainHead = async () => {
    const [chainId, head] = await Promise.all([rpc("eth_chainId"), rpc("eth_blockNumber")]);
    return { chainId: Number(BigInt(chainId)), head: BigInt(head) };
  };

  const chain = async (chainHead: ChainHead): Promise<ReadinessCheck> => {
    const { chainId, head } = await chainHead;
    if (chainId !== deps.chainId) {
      return { ok: false, chainId, error: `the RPC serves chain ${chainId}, expected ${deps.chainId}` };
    }
    return { ok: true, chainId, head: Number(head) };
  };

  const indexer = async (chainHead: ChainHead): Promise<ReadinessCheck> => {
    const checkpoint = await readCheckpointBlock(deps.orm.em.fork(), deps.chainId);
    if (checkpoint === undefined)
      return { ok: false, error: `the indexer has no checkpoint for chain ${deps.chainId}` };
    const indexedBlock = BigInt(checkpoint);
    const { head } = await chainHead;
    const lagBlocks = Number(head > indexedBlock ? head - indexedBlock : 0n);
    return lagBlocks <= deps.maxLagBlocks
      ? { ok: true, indexedBlock: Number(indexedBlock), lagBlocks }
      : { ok: false, indexedBlock: Number(indexedBlock), lagBlocks, error: `lag exceeds ${deps.maxLagBlocks} blocks` };
  };

  return async () => {
    const chainHead = readChainHead();
    // Both chain checks await it; this keeps a failure from surfacing as an unhandled rejection meanwhile.
    chainHead.catch(() => undefined);
    const named = {
      database,
      store,
      chain: () => chain(chainHead),
      indexer: () => indexer(chainHead),
    };
    const results = await Promise.all(
      Object.entries(named).map(async ([name, check]) => {
        try {
          return [name, await check()] as const;
        } catch (error) {
          // /ready is public: a driver's message can name internal hosts, ports or SQL, so it goes to the log only.
          deps.onCheckError?.(name, error);
          return [name, { ok: false, error: `the ${name} check failed (details in the API's log)` }] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    return { ready: results.every(([, result]) => result.ok), checks };
  };
}
