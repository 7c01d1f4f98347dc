import { z } from "zod";

import { accountResponse, siweProof } from "./auth.js";

/** Deleting an account needs proof the owner is here now: their password, or a freshly signed SIWE message. */
export const deleteAccountBody = z.union(
  [z.strictObject({ password: z.string().min(1).max(512) }), z.strictObject({ siwe: siweProof })],
  { error: "expected { password } or { siwe: { message, signature } } to confirm it is you" },
);

export const walletParams = z.object({
  address: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, { error: "expected a 0x-prefixed 20-byte address" })
    .transform((address) => address.toLowerCase()),
});

export const accountExportResponse = z.object({
  exportedAt: z.iso.datetime(),
  account: accountResponse,
  sessions: z.array(
    z.object({
      familyId: z.uuid(),
      createdAt: z.iso.datetime(),
      expiresAt: z.iso.datetime(),
      usedAt: z.iso.datetime().nullable(),
      revokedAt: z.iso.datetime().nullable(),
    }),
  ),
  notifications: z.array(
    z.object({
      kind: z.string(),
      orderId: z.uuid().nullable(),
      data: z.record(z.string(), z.unknown()),
      createdAt: z.iso.datetime(),
      readAt: z.iso.datetime().nullable(),
    }),
  ),
});
