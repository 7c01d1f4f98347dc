import type { network } from "hardhat";
import type { Hex } from "viem";

import { syncOnce } from "../../indexer/src/sync.js";
import type { SyncDeps, SyncStep } from "../../indexer/src/sync.js";

type Connection = Awaited<ReturnType<typeof network.create>>;

/** Steps the sync engine until it is idle at the head, returning every non-idle step. */
export async function syncToHead(deps: SyncDeps, maxSteps = 10_000): Promise<SyncStep[]> {
  const steps: SyncStep[] = [];
  for (;;) {
    const step = await syncOnce(deps);
    if (step.type === "idle") return steps;
    steps.push(step);
    if (steps.length > maxSteps) throw new Error("the indexer never caught up with the head");
  }
}

/** A raw JSON-RPC request to the local node (evm_snapshot, evm_revert, eth_getBlockByNumber...). */
export async function chainRequest<T>(connection: Connection, method: string, params: unknown[] = []): Promise<T> {
  return (await connection.provider.request({ method, params })) as T;
}

/** The node's newest block. */
export async function latestBlock(connection: Connection): Promise<{ number: bigint; hash: Hex }> {
  const block = await chainRequest<{ number: Hex; hash: Hex }>(connection, "eth_getBlockByNumber", ["latest", false]);
  return { number: BigInt(block.number), hash: block.hash };
}

/** The hashes of the canonical blocks after `number`, up to the head, in order. */
export async function blockHashesAfter(connection: Connection, number: bigint): Promise<Hex[]> {
  const { number: head } = await latestBlock(connection);
  const hashes: Hex[] = [];
  for (let n = number + 1n; n <= head; n++) {
    const block = await chainRequest<{ hash: Hex }>(connection, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false]);
    hashes.push(block.hash);
  }
  return hashes;
}
