import { readFile } from "node:fs/promises";

/** A compiled contract as the exporter reads it from Hardhat's artifacts. */
export interface ContractArtifact {
  abi: readonly unknown[];
  deployedBytecode: string;
  /** The source's name in the build info, e.g. `project/contracts/MarketplaceEscrow.sol`. */
  inputSourceName?: string;
  buildInfoId?: string;
}

export interface ContractArtifactSource {
  readArtifact(name: string): Promise<ContractArtifact>;
  getBuildInfoOutputPath(buildInfoId: string): Promise<string | undefined>;
}

/** The few fields of the compiler's AST nodes the exporter reads. */
export interface AstNode {
  nodeType: string;
  id: number;
  name?: string;
  constant?: boolean;
  visibility?: string;
  stateVariable?: boolean;
  linearizedBaseContracts?: number[];
  members?: { name: string }[];
  nodes?: AstNode[];
}

/** A contract's artifact and, from the compiler's AST, the definition of the contract and of every one it inherits. */
export interface ContractDefinition {
  artifact: ContractArtifact;
  /** The contract's definition first, then those it inherits from, in the compiler's linearization order. */
  definitions: AstNode[];
}

interface BuildInfoOutput {
  output: { sources: Record<string, { ast: AstNode }> };
}

/**
 * Looks up contracts by name in the compiler's AST (the build info each artifact names), reading each build info once:
 * what the ABI cannot say (whether a getter is a constant, an enum's member names) is read from there.
 */
export function contractDefinitions(artifacts: ContractArtifactSource): (name: string) => Promise<ContractDefinition> {
  const builds = new Map<string, Promise<Map<number, { node: AstNode; sourceName: string }>>>();
  return async (name) => {
    const artifact = await artifacts.readArtifact(name);
    if (artifact.buildInfoId === undefined || artifact.inputSourceName === undefined) {
      throw new Error(`The artifact of ${name} names no build info: run \`npm run build\``);
    }
    let build = builds.get(artifact.buildInfoId);
    if (build === undefined) {
      build = definitionsById(artifacts, artifact.buildInfoId);
      builds.set(artifact.buildInfoId, build);
    }
    const byId = await build;
    const contract = [...byId.values()].find(
      (definition) => definition.node.name === name && definition.sourceName === artifact.inputSourceName,
    );
    if (contract === undefined) throw new Error(`The build info of ${name} has no contract ${name}`);
    const definitions = (contract.node.linearizedBaseContracts ?? [contract.node.id]).flatMap((id) => {
      const base = byId.get(id);
      return base === undefined ? [] : [base.node];
    });
    return { artifact, definitions };
  };
}

/** Every contract definition of a build, by AST id, with the source it is in. */
async function definitionsById(
  artifacts: ContractArtifactSource,
  buildInfoId: string,
): Promise<Map<number, { node: AstNode; sourceName: string }>> {
  const file = await artifacts.getBuildInfoOutputPath(buildInfoId);
  if (file === undefined) throw new Error(`Build info ${buildInfoId} is missing: run \`npm run build\``);
  const { output } = JSON.parse(await readFile(file, "utf8")) as BuildInfoOutput;
  const byId = new Map<number, { node: AstNode; sourceName: string }>();
  for (const [sourceName, { ast }] of Object.entries(output.sources)) {
    for (const node of ast.nodes ?? []) {
      if (node.nodeType === "ContractDefinition") byId.set(node.id, { node, sourceName });
    }
  }
  return byId;
}
