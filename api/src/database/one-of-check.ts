/** `column IN ('a', 'b')` for a CHECK constraint over a closed list. */
export function oneOfCheck(column: string, values: readonly string[]): string {
  return `${column} IN (${values.map((value) => `'${value}'`).join(", ")})`;
}
