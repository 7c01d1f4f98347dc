import { parseEventLogs, toHex } from "viem";
import type { Abi, Address, Hex, Log } from "viem";

import type { JsonRpc } from "./json-rpc.js";

/** One transaction of the load, and the event it must emit (checked after mining, so a revert cannot hide). */
export interface LoadTransaction {
  from: Address;
  to: Address;
  data: Hex;
  value?: bigint;
  gas: bigint;
  /** The event this transaction emits `count` times (default 1) when it succeeds. */
  emits: string;
  count?: number;
}

/** Blocks a wave was mined into, inclusive. */
export interface MinedRange {
  fromBlock: bigint;
  toBlock: bigint;
}

/** Thrown when a wave's blocks do not hold the events its transactions must have emitted. */
export class LoadRevertedError extends Error {
  constructor(name: string, expected: number, found: number, range: MinedRange) {
    super(
      `expected ${expected} ${name} events in blocks ${range.fromBlock}-${range.toBlock}, found ${found}: ` +
        "some load transactions reverted",
    );
    this.name = new.target.name;
  }
}

export interface LoadChainDeps {
  rpc: JsonRpc;
  /** The contracts whose events are checked, and their ABIs merged for decoding. */
  addresses: readonly Address[];
  abi: Abi;
  txsPerBlock: number;
}

// Well above the base fee, which falls block after block since blocks stay under the gas target.
const MAX_FEE_PER_GAS = 10n ** 10n;
const PRIORITY_FEE_PER_GAS = 10n ** 9n;

/**
 * Drives a node with automine off: transactions go to the mempool with explicit nonces and gas (no estimate, no
 * nonce look-up per transaction), then `evm_mine` packs up to `txsPerBlock` of them into one block. The node signs
 * for its own accounts, which is what lets one process send tens of thousands of transactions quickly.
 */
export function createLoadChain(deps: LoadChainDeps) {
  const { rpc, txsPerBlock } = deps;
  const nonces = new Map<string, number>();

  async function nonceOf(account: Address): Promise<number> {
    const key = account.toLowerCase();
    let nonce = nonces.get(key);
    if (nonce === undefined) {
      nonce = Number(await rpc.call<Hex>("eth_getTransactionCount", [account, "pending"]));
    }
    nonces.set(key, nonce + 1);
    return nonce;
  }

  async function headNumber(): Promise<bigint> {
    return BigInt(await rpc.call<Hex>("eth_blockNumber"));
  }

  /** Sends `txs` to the mempool and mines them into one block; returns its number and when `evm_mine` returned. */
  async function mineBlock(txs: readonly LoadTransaction[]): Promise<{ number: bigint; minedAt: number }> {
    const calls = [];
    for (const tx of txs) {
      calls.push({
        method: "eth_sendTransaction",
        params: [
          {
            from: tx.from,
            to: tx.to,
            data: tx.data,
            value: toHex(tx.value ?? 0n),
            gas: toHex(tx.gas),
            nonce: toHex(await nonceOf(tx.from)),
            maxFeePerGas: toHex(MAX_FEE_PER_GAS),
            maxPriorityFeePerGas: toHex(PRIORITY_FEE_PER_GAS),
          },
        ],
      });
    }
    await rpc.batch(calls);
    await rpc.call("evm_mine");
    const minedAt = performance.now();
    const block = await rpc.call<{ number: Hex; transactions: Hex[] }>("eth_getBlockByNumber", ["latest", false]);
    if (block.transactions.length !== txs.length) {
      throw new Error(
        `block ${BigInt(block.number)} holds ${block.transactions.length} of the ${txs.length} transactions sent: ` +
          "raise the block gas limit or lower the transactions per block",
      );
    }
    return { number: BigInt(block.number), minedAt };
  }

  /** The decoded logs of the checked contracts in a range. */
  async function logsIn(range: MinedRange): Promise<Log[]> {
    const logs = await rpc.call<Log[]>("eth_getLogs", [
      { address: deps.addresses, fromBlock: toHex(range.fromBlock), toBlock: toHex(range.toBlock) },
    ]);
    return parseEventLogs({ abi: deps.abi, logs: logs.map(formatLog) });
  }

  /**
   * Mines `txs` into as many blocks as they need, in order, then checks that every transaction's event is there.
   * Transactions that depend on each other must go in different waves: within a block the node orders senders by fee.
   */
  async function mineWave(txs: readonly LoadTransaction[]): Promise<{ range: MinedRange; logs: Log[] }> {
    const fromBlock = (await headNumber()) + 1n;
    let toBlock = fromBlock - 1n;
    for (let i = 0; i < txs.length; i += txsPerBlock) {
      toBlock = (await mineBlock(txs.slice(i, i + txsPerBlock))).number;
    }
    const range = { fromBlock, toBlock };
    const logs = txs.length === 0 ? [] : await logsIn(range);
    // Counted per emitting contract: a USDC order also makes MockUSDC emit a Transfer, which is not an AGRI one.
    const key = (address: string, name: string) => `${address.toLowerCase()} ${name}`;
    const expected = new Map<string, number>();
    for (const tx of txs)
      expected.set(key(tx.to, tx.emits), (expected.get(key(tx.to, tx.emits)) ?? 0) + (tx.count ?? 1));
    const found = new Map<string, number>();
    for (const log of logs as (Log & { eventName: string })[]) {
      found.set(key(log.address, log.eventName), (found.get(key(log.address, log.eventName)) ?? 0) + 1);
    }
    for (const [name, count] of expected) {
      if (found.get(name) !== count) throw new LoadRevertedError(name, count, found.get(name) ?? 0, range);
    }
    return { range, logs };
  }

  /** Moves the node's clock forward; the next block is mined that much later. */
  async function increaseTime(seconds: number): Promise<void> {
    await rpc.call("evm_increaseTime", [seconds]);
  }

  return { mineBlock, mineWave, headNumber, logsIn, increaseTime };
}

export type LoadChain = ReturnType<typeof createLoadChain>;

/** JSON-RPC logs carry quantities as hex strings; viem's decoder expects its own log shape. */
function formatLog(log: Log): Log {
  const raw = log as unknown as { blockNumber: Hex | null; logIndex: Hex | null; transactionIndex: Hex | null };
  return {
    ...log,
    blockNumber: raw.blockNumber === null ? null : BigInt(raw.blockNumber),
    logIndex: raw.logIndex === null ? null : Number(raw.logIndex),
    transactionIndex: raw.transactionIndex === null ? null : Number(raw.transactionIndex),
  };
}
