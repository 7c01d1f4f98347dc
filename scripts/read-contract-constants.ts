import { readFile } from "node:fs/promises";

import { decodeFunctionResult, encodeFunctionData } from "viem";
import type { Abi, AbiFunction, Hex } from "viem";

/** A constant as TypeScript holds it: small integers as numbers, wider ones as bigints, the rest as viem decodes them. */
export type ConstantValue = number | bigint | string | boolean;

export interface ConstantsArtifact {
  abi: readonly unknown[];
  deployedBytecode: string;
  /** The source's name in the build info, e.g. `project/contracts/MarketplaceEscrow.sol`. */
  inputSourceName?: string;
  buildInfoId?: string;
}

export interface ConstantsArtifactSource {
  readArtifact(name: string): Promise<ConstantsArtifact>;
  getBuildInfoOutputPath(buildInfoId: string): Promise<string | undefined>;
}

/** An EIP-1193 provider of a simulated network, which takes `hardhat_setCode`. */
export interface SimulatedProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

interface AstNode {
  nodeType: string;
  id: number;
  name?: string;
  constant?: boolean;
  visibility?: string;
  stateVariable?: boolean;
  linearizedBaseContracts?: number[];
  nodes?: AstNode[];
}

interface ContractDefinition {
  node: AstNode;
  sourceName: string;
}

interface BuildInfoOutput {
  output: { sources: Record<string, { ast: AstNode }> };
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
  artifacts: ConstantsArtifactSource,
  provider: SimulatedProvider,
  names: readonly string[],
): Promise<Record<string, Record<string, ConstantValue>>> {
  const definitions = new Map<string, Promise<Map<number, ContractDefinition>>>();
  const result: Record<string, Record<string, ConstantValue>> = {};
  for (const [index, name] of names.entries()) {
    const artifact = await artifacts.readArtifact(name);
    if (artifact.deployedBytecode === "0x") continue;
    if (artifact.buildInfoId === undefined || artifact.inputSourceName === undefined) {
      throw new Error(`The artifact of ${name} names no build info: run \`npm run build\``);
    }
    const buildInfoId = artifact.buildInfoId;
    let contracts = definitions.get(buildInfoId);
    if (contracts === undefined) {
      contracts = contractDefinitions(artifacts, buildInfoId);
      definitions.set(buildInfoId, contracts);
    }
    const byId = await contracts;
    const contract = [...byId.values()].find(
      (definition) => definition.node.name === name && definition.sourceName === artifact.inputSourceName,
    );
    if (contract === undefined) throw new Error(`The build info of ${name} has no contract ${name}`);
    const constantNames = (contract.node.linearizedBaseContracts ?? [])
      .flatMap((id) => byId.get(id)?.node.nodes ?? [])
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

/** Every contract definition of a build, by AST id, with the source it is in. */
async function contractDefinitions(
  artifacts: ConstantsArtifactSource,
  buildInfoId: string,
): Promise<Map<number, ContractDefinition>> {
  const file = await artifacts.getBuildInfoOutputPath(buildInfoId);
  if (file === undefined) throw new Error(`Build info ${buildInfoId} is missing: run \`npm run build\``);
  const { output } = JSON.parse(await readFile(file, "utf8")) as BuildInfoOutput;
  const byId = new Map<number, ContractDefinition>();
  for (const [sourceName, { ast }] of Object.entries(output.sources)) {
    for (const node of ast.nodes ?? []) {
      if (node.nodeType === "ContractDefinition") byId.set(node.id, { node, sourceName });
    }
  }
  return byId;
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
