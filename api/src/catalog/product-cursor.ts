import type { ProductSort } from "../../../protocol/vocabulary/catalog-vocabulary.js";
import { ValidationError } from "../errors.js";

/**
 * Where a page of products ended: the sort it belongs to, the last row's sort key (creation time to the microsecond,
 * price in minor units, or search rank as PostgreSQL prints it) and its id, which breaks ties.
 */
export interface ProductCursor {
  sort: ProductSort;
  key: string;
  id: string;
}

/** Opaque to clients: base64url of a small JSON document. */
export function encodeProductCursor(cursor: ProductCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key, cursor.id])).toString("base64url");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY_PATTERNS: Record<ProductSort, RegExp> = {
  newest: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
  price_asc: /^\d{1,10}$/,
  price_desc: /^\d{1,10}$/,
  relevance: /^(\d+(\.\d+)?(e[+-]?\d+)?|0)$/i,
};

/** Reads a cursor made by `encodeProductCursor` for the same sort; anything else is the client's error (400). */
export function decodeProductCursor(text: string, sort: ProductSort): ProductCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    parsed[0] !== sort ||
    typeof parsed[1] !== "string" ||
    typeof parsed[2] !== "string" ||
    !KEY_PATTERNS[sort].test(parsed[1]) ||
    !UUID.test(parsed[2])
  ) {
    throw new ValidationError("The request is invalid", [
      { path: "query.cursor", message: `not a cursor of this listing (sort ${sort})` },
    ]);
  }
  return { sort, key: parsed[1], id: parsed[2] };
}
