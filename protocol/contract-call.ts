import type { Address, Hex } from "viem";

/**
 * A transaction for a wallet to send (where, the ABI-encoded call, the wei sent with it) with what it means: the
 * function and its arguments by their ABI names. Built only by the builders in protocol/ (escrow-calls,
 * governor-calls, token-calls), so a call is encoded in one place whichever process hands it to a wallet.
 */
export interface ContractCall<
  FunctionName extends string = string,
  Args extends Record<string, unknown> = Record<string, unknown>,
  Value extends bigint = bigint,
> {
  to: Address;
  data: Hex;
  value: Value;
  functionName: FunctionName;
  args: Args;
}

/** A value as JSON carries it: bigints as decimal strings (a value of `0n` as `"0"`), the rest as it is. */
export type Json<T> = T extends 0n
  ? "0"
  : T extends bigint
    ? string
    : T extends readonly (infer Item)[]
      ? Json<Item>[]
      : T extends object
        ? { [Key in keyof T]: Json<T[Key]> }
        : T;

/** A call as the API answers it: `value` and every uint256 argument as decimal strings. */
export type ContractCallJson<Call extends ContractCall> = Call extends ContractCall
  ? Json<Pick<Call, "to" | "data" | "value" | "functionName" | "args">>
  : never;

/** The call as JSON, for an API answer: what a client hands its wallet unchanged (`to`, `data`, `value`). */
export function contractCallJson<Call extends ContractCall>(call: Call): ContractCallJson<Call> {
  const { to, data, value, functionName, args } = call;
  return toJson({ to, data, value, functionName, args }) as ContractCallJson<Call>;
}

function toJson(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item)]));
  }
  return value;
}
