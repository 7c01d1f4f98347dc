import { createHash } from "node:crypto";

import type { z } from "zod";

/**
 * A response body already serialized after passing its route's response schema, with its bytes and ETag computed
 * once. A handler returns one when it serves JSON it checked earlier (a cached list), so a cache hit costs no parse,
 * re-validation, re-serialization or hashing; the route mounting sends it as is, provided it was checked against the
 * very schema the route declares.
 */
export class CheckedJson {
  readonly bytes: Buffer;
  /** Weak, as the ETag middleware's: compression further out changes the bytes but not the meaning. */
  readonly etag: string;

  private constructor(
    readonly schema: z.ZodType,
    readonly text: string,
  ) {
    this.bytes = Buffer.from(text);
    this.etag = `W/"${createHash("sha256").update(this.bytes).digest("base64url").slice(0, 27)}"`;
  }

  /** Checks `value` against `schema` (stripping undeclared fields, as every response is) and serializes it. */
  static check(schema: z.ZodType, value: unknown): CheckedJson {
    return new CheckedJson(schema, JSON.stringify(schema.parse(value)));
  }

  /** Text that `check(schema, …).text` produced earlier: only for values this process or a replica checked. */
  static checkedBefore(schema: z.ZodType, text: string): CheckedJson {
    return new CheckedJson(schema, text);
  }
}
