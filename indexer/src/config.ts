import { readFileSync } from "node:fs";

import type { Address } from "viem";
import { z } from "zod";

import { deployments as generatedDeployments } from "../../protocol/generated/contracts.js";
import type { ContractDeployment } from "../../protocol/generated/contracts.js";
// The local chain is the only one where indexing without a confirmation window is allowed.
import { LOCAL_CHAIN_ID } from "../../protocol/local-chain-id.js";

const integer = (min: number) => z.coerce.number().int().min(min);

const schema = z
  .object({
    INDEXER_RPC_URL: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }),
    INDEXER_CHAIN_ID: integer(1),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "expected a postgres:// URL" }),
    INDEXER_START_BLOCK: integer(0).optional(),
    INDEXER_CONFIRMATIONS: integer(0).default(12),
    INDEXER_POLL_INTERVAL_MS: integer(1).optional(),
    INDEXER_RPC_TIMEOUT_MS: integer(1).default(10_000),
    INDEXER_MAX_BLOCK_RANGE: integer(1).default(2_000),
    INDEXER_MIN_BLOCK_RANGE: integer(1).default(1),
    INDEXER_HTTP_HOST: z.string().min(1).default("127.0.0.1"),
    INDEXER_HTTP_PORT: integer(0).max(65_535).default(42_069),
    INDEXER_READY_LAG: integer(0).default(3),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: "expected a redis:// URL" }).optional(),
    INDEXER_DEPLOYMENT_FILE: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.INDEXER_MIN_BLOCK_RANGE > env.INDEXER_MAX_BLOCK_RANGE) {
      ctx.addIssue({
        code: "custom",
        path: ["INDEXER_MIN_BLOCK_RANGE"],
        message: `must not exceed INDEXER_MAX_BLOCK_RANGE (${env.INDEXER_MAX_BLOCK_RANGE})`,
      });
    }
    if (env.INDEXER_CONFIRMATIONS === 0 && env.INDEXER_CHAIN_ID !== LOCAL_CHAIN_ID) {
      ctx.addIssue({
        code: "custom",
        path: ["INDEXER_CONFIRMATIONS"],
        message: `0 is allowed only on the local chain (${LOCAL_CHAIN_ID}): without a window no reorg can be undone`,
      });
    }
  });

export type IndexerConfig = Readonly<{
  rpcUrl: string;
  chainId: number;
  databaseUrl: string;
  startBlock: bigint;
  confirmations: number;
  pollIntervalMs: number;
  /** How long one RPC request may take before it counts as failed (and is retried). */
  rpcTimeoutMs: number;
  maxBlockRange: number;
  minBlockRange: number;
  httpHost: string;
  httpPort: number;
  readyLag: number;
  redisUrl: string | undefined;
  addresses: Readonly<{ MarketplaceEscrow: Address; AgriToken: Address; AgriGovernor: Address }>;
  /** The escrow's fee recipient: the DAO timelock. */
  treasury: Address;
}>;

/** Thrown when the environment does not describe a usable indexer; the message names every bad variable. */
export class IndexerConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid indexer configuration:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
    this.name = new.target.name;
  }
}

/**
 * Parses the indexer's environment once, at start-up. The start block defaults to the generated deployment's
 * `startBlock` for the chain.
 */
export function loadIndexerConfig(
  env: NodeJS.ProcessEnv = process.env,
  deployments: Readonly<Partial<Record<number, ContractDeployment>>> = generatedDeployments,
): IndexerConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new IndexerConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const data = parsed.data;
  const deployment = data.INDEXER_DEPLOYMENT_FILE
    ? readDeploymentFile(data.INDEXER_DEPLOYMENT_FILE)
    : deployments[data.INDEXER_CHAIN_ID];
  const { MarketplaceEscrow, AgriToken, AgriGovernor, AgriTimelock } = deployment?.addresses ?? {};
  if (MarketplaceEscrow === undefined || AgriToken === undefined || AgriGovernor === undefined || !AgriTimelock) {
    throw new IndexerConfigError([
      `INDEXER_CHAIN_ID: no deployment of the escrow, token, governor and timelock for chain ${data.INDEXER_CHAIN_ID} ` +
        "in protocol/generated/contracts.ts (deploy, or point INDEXER_DEPLOYMENT_FILE at one)",
    ]);
  }
  const startBlock = data.INDEXER_START_BLOCK ?? deployment?.startBlock;
  if (startBlock === undefined) {
    throw new IndexerConfigError([
      `INDEXER_START_BLOCK: required, since protocol/generated/contracts.ts has no deployment for chain ${data.INDEXER_CHAIN_ID}`,
    ]);
  }
  return {
    rpcUrl: data.INDEXER_RPC_URL,
    chainId: data.INDEXER_CHAIN_ID,
    databaseUrl: data.DATABASE_URL,
    startBlock: BigInt(startBlock),
    confirmations: data.INDEXER_CONFIRMATIONS,
    // A local node mines the moment a transaction arrives, and nothing is cheaper than asking it: poll fast there.
    pollIntervalMs: data.INDEXER_POLL_INTERVAL_MS ?? (data.INDEXER_CHAIN_ID === LOCAL_CHAIN_ID ? 50 : 250),
    rpcTimeoutMs: data.INDEXER_RPC_TIMEOUT_MS,
    maxBlockRange: data.INDEXER_MAX_BLOCK_RANGE,
    minBlockRange: data.INDEXER_MIN_BLOCK_RANGE,
    httpHost: data.INDEXER_HTTP_HOST,
    httpPort: data.INDEXER_HTTP_PORT,
    readyLag: data.INDEXER_READY_LAG,
    redisUrl: data.REDIS_URL,
    addresses: { MarketplaceEscrow, AgriToken, AgriGovernor },
    treasury: AgriTimelock,
  };
}

/** A deployment described as JSON in the generated file's shape: `{ chainId, startBlock, addresses }`. */
function readDeploymentFile(file: string): ContractDeployment {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ContractDeployment;
  } catch (error) {
    throw new IndexerConfigError([`INDEXER_DEPLOYMENT_FILE: cannot read ${file} (${(error as Error).message})`]);
  }
}
