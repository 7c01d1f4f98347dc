/** An enum's generated member names with a lower-case first letter, as the API spells them: `Pending` → `pending`. */
export function uncapitalizedMembers<const Members extends readonly string[]>(
  members: Members,
): { readonly [Index in keyof Members]: Uncapitalize<Members[Index] & string> } {
  return members.map((member) => member.charAt(0).toLowerCase() + member.slice(1)) as unknown as {
    readonly [Index in keyof Members]: Uncapitalize<Members[Index] & string>;
  };
}
