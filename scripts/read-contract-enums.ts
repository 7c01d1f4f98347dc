import type { ContractDefinition } from "./contract-definitions.js";

/**
 * The enums a contract declares or inherits (`IMarketplaceEscrow.OrderState`, OpenZeppelin's
 * `IGovernor.ProposalState`), by name, from the compiler's AST: each member's name at the index that is its value in
 * the ABI (a `uint8`), so TypeScript never retypes them.
 */
export function readContractEnums(contract: ContractDefinition): Record<string, string[]> {
  const enums: Record<string, string[]> = {};
  for (const node of contract.definitions.flatMap((definition) => definition.nodes ?? [])) {
    if (node.nodeType !== "EnumDefinition") continue;
    const members = (node.members ?? []).map((member) => member.name);
    const known = enums[node.name!];
    if (known !== undefined && known.join() !== members.join()) {
      throw new Error(`Two enums named ${node.name} with other members are in scope of one contract`);
    }
    enums[node.name!] = members;
  }
  return Object.fromEntries(Object.entries(enums).sort(([a], [b]) => a.localeCompare(b)));
}
