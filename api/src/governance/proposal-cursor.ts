import { ValidationError } from "../errors.js";

/** A keyset position: the sort key and the tie-breaker of the last item of the previous page. */
export type KeysetPosition = [string, string];

/** Where a newest-first list of proposals continues: after the proposal created in `block` with id `id`. */
export interface ProposalCursor {
  block: string;
  id: string;
}

export function encodeProposalCursor(cursor: ProposalCursor): string {
  return Buffer.from(JSON.stringify([cursor.block, cursor.id])).toString("base64url");
}

export function decodeProposalCursor(text: string): ProposalCursor {
  const [block, id] = decodeKeysetPosition(text);
  if (!/^\d+$/.test(block) || !/^\d+$/.test(id)) throw invalidCursor();
  return { block, id };
}

export function encodeKeysetPosition(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

/** Reads a keyset position back; anything this API did not write is refused (400). */
export function decodeKeysetPosition(text: string): KeysetPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      value.every((part) => typeof part === "string" && /^(0x[0-9a-f]{40}|\d+)$/.test(part))
    ) {
      return [value[0] as string, value[1] as string];
    }
  } catch {
    // Falls through to the validation error.
  }
  throw invalidCursor();
}

function invalidCursor(): ValidationError {
  return new ValidationError("The request is invalid", [
    { path: "query.cursor", message: "not a cursor of this list" },
  ]);
}
