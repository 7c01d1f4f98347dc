import { AbiEventSignatureNotFoundError, decodeEventLog, toEventSelector } from "viem";
import type { Abi, AbiEvent, Address, DecodeEventLogReturnType, Hex, Log } from "viem";

import { agriGovernorAbi, agriTokenAbi, marketplaceEscrowAbi } from "../../protocol/generated/contracts.js";
import { InvalidLogError } from "./errors.js";

const ABIS = {
  MarketplaceEscrow: marketplaceEscrowAbi,
  AgriToken: agriTokenAbi,
  AgriGovernor: agriGovernorAbi,
} as const;

/**
 * Each contract's events by selector. viem's decodeEventLog hashes every event signature of the ABI it is given to
 * find the one a log matches; handing it the single matching event instead makes decoding several times cheaper,
 * which shows in a backfill of tens of thousands of logs.
 */
const EVENTS_BY_SELECTOR = Object.fromEntries(
  Object.entries(ABIS).map(([name, abi]) => [
    name,
    new Map(
      (abi as Abi)
        .filter((item): item is AbiEvent => item.type === "event" && item.anonymous !== true)
        .map((item) => [toEventSelector(item), item]),
    ),
  ]),
) as Record<keyof typeof ABIS, Map<Hex, AbiEvent>>;

/** The contracts whose events the indexer reads. */
export type IndexedContract = keyof typeof ABIS;

/** Where the indexed contracts live on one chain. */
export type IndexedAddresses = Readonly<Record<IndexedContract, Address>>;

/** An event as viem decodes it from `contract`'s ABI: a union discriminated by `eventName`. */
export type DecodedEvent<C extends IndexedContract = IndexedContract> = {
  [K in C]: { contractName: K } & DecodeEventLogReturnType<(typeof ABIS)[K]>;
}[C];

/** Where a log sits in the chain. */
export interface LogPosition {
  blockNumber: bigint;
  blockHash: Hex;
  blockTimestamp: bigint;
  transactionHash: Hex;
  logIndex: number;
  /** The emitting contract, lower-case. */
  address: Address;
}

export type PositionedEvent = DecodedEvent & LogPosition;

/**
 * Decodes a mined log of one of our contracts; returns undefined for logs of other contracts and for events our
 * ABIs do not know (so a contract upgrade that adds an event does not stop the indexer).
 */
export function decodeLog(log: Log, blockTimestamp: bigint, addresses: IndexedAddresses): PositionedEvent | undefined {
  const address = log.address.toLowerCase() as Address;
  const contractName = (Object.keys(ABIS) as IndexedContract[]).find(
    (name) => addresses[name].toLowerCase() === address,
  );
  if (contractName === undefined) return undefined;
  if (log.blockNumber === null || log.blockHash === null || log.transactionHash === null || log.logIndex === null) {
    throw new InvalidLogError(`log of ${contractName} at ${address} is not mined (missing block or index)`);
  }
  // Widened to Abi so the three contracts' decodes share one result type; the cast below narrows it back. A log
  // whose selector is not known goes through the whole ABI, which reports it the way viem always does.
  const known = log.topics[0] === undefined ? undefined : EVENTS_BY_SELECTOR[contractName].get(log.topics[0]);
  const abi: Abi = known === undefined ? ABIS[contractName] : [known];
  let decoded: DecodeEventLogReturnType;
  try {
    decoded = decodeEventLog({ abi, data: log.data, topics: log.topics, strict: true });
  } catch (error) {
    if (error instanceof AbiEventSignatureNotFoundError) return undefined;
    throw error;
  }
  // The decode above used exactly the ABI of `contractName`, so its result is that contract's event union.
  return {
    contractName,
    eventName: decoded.eventName,
    args: decoded.args,
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    blockTimestamp,
    transactionHash: log.transactionHash,
    logIndex: log.logIndex,
    address,
  } as PositionedEvent;
}
