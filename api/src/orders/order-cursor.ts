import { ValidationError } from "../errors.js";

/** Where a page of orders (newest first) ended: the last order's creation time and id. */
export interface OrderCursor {
  createdAt: Date;
  id: string;
}

/** An opaque cursor for the next page. */
export function encodeOrderCursor(cursor: OrderCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString("base64url");
}

/** Reads a cursor made by `encodeOrderCursor`; anything else is the client's error (400). */
export function decodeOrderCursor(text: string): OrderCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string") {
      const createdAt = new Date(value[0]);
      if (!Number.isNaN(createdAt.getTime()) && /^[0-9a-f-]{36}$/.test(value[1])) return { createdAt, id: value[1] };
    }
  } catch {
    // Falls through to the validation error below.
  }
  throw new ValidationError("The request is invalid", [{ path: "query.cursor", message: "not a cursor of this list" }]);
}
