import { decodeFunctionResult, encodeFunctionData } from "viem";
import type { Abi, AbiFunction, Hex } from "viem";

import type { ContractDefinition } from "./contract-definitions.js";

/** A constant as TypeScript holds it: small integers as numbers, wider ones as bigints, the rest as viem decodes them. */
export type ConstantValue = number | bigint | string | boolean;

/** An EIP-1193 provider of a simulated network, which takes `hardhat_setCode`. */
export interface SimulatedProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

// Integers up to this width are exact as JavaScript numbers (2^48 < 2^53); wider ones stay bigints.
const NUMBER_BITS = 48;

/**
 * The public constants (`uint16 public constant MAX_FEE_BPS = 1_000`, inherited ones included) of each named contract,
 * by name, with the values the compiled code returns: the contract's runtime code is put at an address of the
 * simulated network and each constant's getter is called there, so no value is ever retyped. Which getters are
 * constants is read from the compiler's AST (a `view` function such as DOMAIN_SEPARATOR looks the same in the ABI,
 * but depends on the chain and address). Contracts without code (interfaces) have none.
 */
export async function readContractConstants(
  provider: SimulatedProvider,
  contracts: readonly { name: string; contract: ContractDefinition }[],
): Promise<Record<string, Record<string, ConstantValue>>> {
  const result: Record<string, Record<string, ConstantValue>> = {};
  for (const [index, { name, contract }] of contracts.entries()) {
    const { artifact, definitions } = contract;
    if (artifact.deployedBytecode === "0x") continue;
    const constantNames = definitions
      .flatMap((definition) => definition.nodes ?? [])
      .filter(
        (node) =>
          node.nodeType === "VariableDeclaration" &&
          node.stateVariable === true &&
          node.constant === true &&
          node.visibility === "public",
      )
      .map((node) => node.name!);

    const address = `0x${(0xc0_0000 + index).toString(16).padStart(40, "0")}`;
    await provider.request({ method: "hardhat_setCode", params: [address, artifact.deployedBytecode] });
    const values: Record<string, ConstantValue> = {};
    for (const constant of [...new Set(constantNames)].sort()) {
      const getter = (artifact.abi as Abi).find(
        (item): item is AbiFunction => item.type === "function" && item.name === constant && item.inputs.length === 0,
      );
      if (getter === undefined || getter.outputs.length !== 1) {
        throw new Error(`${name}.${constant} is a public constant without a getter of one output in the ABI`);
      }
      const data = encodeFunctionData({ abi: [getter], functionName: constant });
      const returned = (await provider.request({
        method: "eth_call",
        params: [{ to: address, data }, "latest"],
      })) as Hex;
      const decoded = decodeFunctionResult({ abi: [getter], functionName: constant, data: returned }) as unknown;
      values[constant] = asConstant(decoded, getter.outputs[0].type);
    }
    result[name] = values;
  }
  return result;
}

function asConstant(value: unknown, type: string): ConstantValue {
  const integer = /^u?int(\d*)$/.exec(type);
  if (integer !== null) {
    const bits = integer[1] === "" ? 256 : Number(integer[1]);
    return bits <= NUMBER_BITS ? Number(value) : BigInt(value as number | bigint);
  }
  if (typeof value === "string" || typeof value === "boolean") return value;
  throw new Error(`A constant of type ${type} cannot be exported`);
}
