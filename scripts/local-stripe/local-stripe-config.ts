import { z } from "zod";

import type { LocalStripeServerOptions } from "./create-local-stripe-server.js";

const port = z.coerce.number().int().min(0).max(65_535);
const positive = z.coerce.number().int().positive();

const schema = z
  .object({
    LOCAL_STRIPE_HOST: z.string().min(1).default("127.0.0.1"),
    LOCAL_STRIPE_PORT: port.default(12111),
    LOCAL_STRIPE_PUBLIC_URL: z.url({ protocol: /^https?$/, error: "expected an http(s):// URL" }).optional(),
    LOCAL_STRIPE_API_KEY: z
      .string()
      .regex(/^(sk|rk)_test_\w+$/, "expected a test key (sk_test_…)")
      .optional(),
    LOCAL_STRIPE_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: "expected an http(s):// URL" }).optional(),
    LOCAL_STRIPE_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_\w+$/, "expected a whsec_… secret")
      .optional(),
    LOCAL_STRIPE_WEBHOOK_MAX_ATTEMPTS: positive.default(8),
    LOCAL_STRIPE_WEBHOOK_RETRY_MS: positive.default(1_000),
  })
  .refine((env) => (env.LOCAL_STRIPE_WEBHOOK_URL === undefined) === (env.LOCAL_STRIPE_WEBHOOK_SECRET === undefined), {
    path: ["LOCAL_STRIPE_WEBHOOK_SECRET"],
    message: "set together with LOCAL_STRIPE_WEBHOOK_URL (both or neither)",
  });

/** Reads `npm run stripe:local`'s settings from LOCAL_STRIPE_*; a bad value stops it with the variable's name. */
export function loadLocalStripeConfig(env: NodeJS.ProcessEnv = process.env): LocalStripeServerOptions {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid local Stripe configuration:\n${problems.join("\n")}`);
  }
  const data = parsed.data;
  return {
    host: data.LOCAL_STRIPE_HOST,
    port: data.LOCAL_STRIPE_PORT,
    ...(data.LOCAL_STRIPE_PUBLIC_URL === undefined ? {} : { publicUrl: data.LOCAL_STRIPE_PUBLIC_URL }),
    ...(data.LOCAL_STRIPE_API_KEY === undefined ? {} : { apiKey: data.LOCAL_STRIPE_API_KEY }),
    ...(data.LOCAL_STRIPE_WEBHOOK_URL === undefined || data.LOCAL_STRIPE_WEBHOOK_SECRET === undefined
      ? {}
      : { webhook: { url: data.LOCAL_STRIPE_WEBHOOK_URL, secret: data.LOCAL_STRIPE_WEBHOOK_SECRET } }),
    webhookRetry: {
      maxAttempts: data.LOCAL_STRIPE_WEBHOOK_MAX_ATTEMPTS,
      baseDelayMs: data.LOCAL_STRIPE_WEBHOOK_RETRY_MS,
    },
  };
}
