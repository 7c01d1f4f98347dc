import { z } from "zod";

const schema = z.object({
  AGRIDAO_CHAIN_HOST: z.string().min(1).default("127.0.0.1"),
  AGRIDAO_CHAIN_PORT: z.coerce.number().int().min(1).max(65_535).default(8545),
});

export type DevConfig = Readonly<{ chainHost: string; chainPort: number }>;

/** Parses the dev stack's environment once; a bad value stops start-up with the variable's name. */
export function loadDevConfig(env: NodeJS.ProcessEnv = process.env): DevConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid dev configuration:\n${problems.join("\n")}`);
  }
  return { chainHost: parsed.data.AGRIDAO_CHAIN_HOST, chainPort: parsed.data.AGRIDAO_CHAIN_PORT };
}
