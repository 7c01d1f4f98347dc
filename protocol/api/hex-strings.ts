import type { Address, Hex } from "viem";
import { z } from "zod";

/**
 * `schema` as a schema whose output TypeScript knows as `0x…` (viem's Address or Hex), which its pattern guarantees:
 * the same schema at run time (and in the OpenAPI document), typed so a client hands the value to viem unchanged.
 */
export function typedHex<T extends Hex = Hex>(schema: z.ZodString): z.ZodType<T, string> {
  return schema as unknown as z.ZodType<T, string>;
}

/** A 20-byte address in lower case, as every answer spells one. */
export const address = typedHex<Address>(z.string().regex(/^0x[0-9a-f]{40}$/));

/** 32 bytes in lower-case hex: an order ref, a transaction hash. */
export const bytes32 = typedHex(z.string().regex(/^0x[0-9a-f]{64}$/));

/** Bytes of any length in lower-case hex: ABI-encoded calldata. */
export const hexData = typedHex(z.string().regex(/^0x[0-9a-f]*$/));
