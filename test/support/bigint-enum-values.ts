/** A Solidity enum's values by member name as bigints, what ethers returns for an enum, from its generated members. */
export function bigintEnumValues<const Members extends readonly string[]>(members: Members) {
  return Object.fromEntries(members.map((member, value) => [member, BigInt(value)])) as {
    readonly [Member in Members[number]]: bigint;
  };
}
