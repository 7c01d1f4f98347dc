import type { DecodedEvent, IndexedContract, LogPosition } from "./decode-log.js";

/** A decoded value as it survives JSONB: bigints become decimal strings, everything else is already JSON. */
export type Stored<T> = T extends bigint
  ? string
  : T extends readonly (infer U)[]
    ? Stored<U>[]
    : T extends object
      ? { [K in keyof T]: Stored<T[K]> }
      : T;

/** An event with its args in stored form. */
export type StoredDecodedEvent<C extends IndexedContract = IndexedContract> = {
  [K in C]: DecodedEvent<K> extends infer E
    ? E extends { eventName: infer N; args: infer A }
      ? { contractName: K; eventName: N; args: Stored<A> }
      : never
    : never;
}[C];

/**
 * One row of `indexer.events`. Handlers read events only in this form, so applying a fresh log and replaying a
 * stored one during a rebuild go through exactly the same code.
 */
export type StoredEvent<C extends IndexedContract = IndexedContract> = StoredDecodedEvent<C> &
  Omit<LogPosition, "blockNumber" | "blockTimestamp"> & {
    chainId: number;
    blockNumber: bigint;
    blockTimestamp: bigint;
  };

/** Converts decoded args to their JSONB form. */
export function toStoredArgs<T>(args: T): Stored<T> {
  return JSON.parse(
    JSON.stringify(args, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)),
  ) as Stored<T>;
}
