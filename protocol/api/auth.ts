import { z } from "zod";

import { PASSWORD_MAX_LENGTH, checkPasswordRules } from "./check-password-rules.js";
import { ROLES } from "../vocabulary/roles.js";

/** Emails are compared and stored trimmed and lower-case (the users table insists on lower case). */
export const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, { error: "expected at most 254 characters" })
  .pipe(z.email({ error: "expected an email address" }));

/** A password as typed at sign-in: any non-empty string up to a bound that keeps hashing cheap to refuse. */
const anyPassword = z
  .string()
  .min(1, { error: "expected a password" })
  .max(PASSWORD_MAX_LENGTH * 4, { error: "expected a shorter password" });

/** Adds an issue on `password` for every password rule it breaks. */
function passwordRules(value: { email: unknown; password: unknown }, ctx: z.RefinementCtx): void {
  if (typeof value.password !== "string") return;
  const address = typeof value.email === "string" ? value.email : "";
  for (const problem of checkPasswordRules(value.password, address)) {
    ctx.addIssue({ code: "custom", path: ["password"], message: `The password ${problem}` });
  }
}

/** An email and a new password that passes the password rules. */
export const newCredentials = z.object({ email, password: anyPassword }).superRefine(passwordRules);

export const signupBody = z
  .object({
    email,
    password: anyPassword,
    acceptTerms: z.literal(true, { error: "the terms of service must be accepted" }),
    termsVersion: z.string().min(1).max(64),
  })
  .superRefine(passwordRules);

export const loginBody = z.object({ email, password: anyPassword });

/** An EIP-4361 message and its signature (65 bytes for a key; longer for some smart accounts). */
export const siweProof = z.object({
  message: z.string().min(1).max(4_096),
  signature: z
    .string()
    .max(20_000)
    .regex(/^0x(?:[0-9a-fA-F]{2})+$/, { error: "expected a 0x-prefixed hex signature" })
    .transform((value) => value as `0x${string}`),
});

export const siweVerifyBody = siweProof;

export const nonceResponse = z.object({
  nonce: z.string(),
  expiresAt: z.iso.datetime(),
  /** What the message must say, so a client does not have to guess. */
  domain: z.string(),
  uri: z.string(),
  chainId: z.number().int(),
});

export const accountResponse = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  roles: z.array(z.enum(ROLES)),
  hasPassword: z.boolean(),
  wallets: z.array(z.object({ address: z.string(), chainId: z.number().int(), linkedAt: z.iso.datetime() })),
  terms: z.object({ version: z.string(), acceptedAt: z.iso.datetime() }).nullable(),
  createdAt: z.iso.datetime(),
});

export const signedInResponse = z.object({
  accessToken: z.string(),
  expiresIn: z.number().int(),
  user: accountResponse,
});

export const signupResponse = z.object({ status: z.literal("accepted"), message: z.string() });

export type Account = z.infer<typeof accountResponse>;
export type SignedIn = z.infer<typeof signedInResponse>;
export type SiweNonce = z.infer<typeof nonceResponse>;
