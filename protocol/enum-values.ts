/**
 * A Solidity enum's values by member name, from its generated member list (protocol/generated/contracts.ts holds each
 * member at the index that is its value): `enumValues(marketplaceEscrowEnums.OrderState).Funded` is 1.
 */
export function enumValues<const Members extends readonly string[]>(
  members: Members,
): { readonly [Member in Members[number]]: number } {
  return Object.fromEntries(members.map((member, value) => [member, value])) as {
    readonly [Member in Members[number]]: number;
  };
}
