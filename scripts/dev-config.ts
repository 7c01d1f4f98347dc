import path from "node:path";

import { z } from "zod";

const port = z.coerce.number().int().min(1).max(65_535);

const schema = z.object({
  AGRIDAO_HOST: z.string().min(1).default("127.0.0.1"),
  AGRIDAO_CHAIN_HOST: z.string().min(1).optional(),
  AGRIDAO_CHAIN_PORT: port.default(8545),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "expected a postgres:// URL" }).optional(),
  AGRIDAO_POSTGRES_PORT: port.default(54320),
  AGRIDAO_DATA_DIR: z.string().min(1).default(".agridao"),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: "expected a redis:// URL" }).optional(),
  INDEXER_HTTP_PORT: port.default(42069),
  API_PORT: port.default(4000),
  WEB_PORT: port.default(5173),
});

export type DevConfig = Readonly<{
  /** The address every service of the stack listens on (0.0.0.0 inside a container). */
  host: string;
  chainHost: string;
  chainPort: number;
  /** Unset: the stack runs an embedded PostgreSQL on `postgresPort`, with its data under `dataDir`. */
  databaseUrl: string | undefined;
  postgresPort: number;
  dataDir: string;
  /** Unset: every service uses its in-process equivalent of Redis. */
  redisUrl: string | undefined;
  indexerHttpPort: number;
  apiPort: number;
  /** The web app's dev server (Vite), which forwards /api to the API. */
  webPort: number;
}>;

/** Parses the dev stack's environment once; a bad value stops start-up with the variable's name. */
export function loadDevConfig(env: NodeJS.ProcessEnv = process.env): DevConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid dev configuration:\n${problems.join("\n")}`);
  }
  const data = parsed.data;
  return {
    host: data.AGRIDAO_HOST,
    chainHost: data.AGRIDAO_CHAIN_HOST ?? data.AGRIDAO_HOST,
    chainPort: data.AGRIDAO_CHAIN_PORT,
    databaseUrl: data.DATABASE_URL,
    postgresPort: data.AGRIDAO_POSTGRES_PORT,
    dataDir: path.resolve(data.AGRIDAO_DATA_DIR),
    redisUrl: data.REDIS_URL,
    indexerHttpPort: data.INDEXER_HTTP_PORT,
    apiPort: data.API_PORT,
    webPort: data.WEB_PORT,
  };
}
