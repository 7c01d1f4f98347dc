import { z } from "zod";

/** The channel an indexer of `chainId` announces on, in Redis. */
export function announceChannel(chainId: number): string {
  return `agridao:indexer:${chainId}`;
}

/**
 * The same channel as a PostgreSQL NOTIFY channel: `:` is not allowed in an unquoted identifier, so listeners
 * can write `LISTEN agridao_indexer_31337` without quoting.
 */
export function notifyChannel(chainId: number): string {
  return announceChannel(chainId).replace(/[^a-z0-9_]/g, "_");
}

const decimal = z.string().regex(/^\d+$/);

/**
 * One announcement of what the indexer committed, as JSON on either channel: a block range and the orders, proposals
 * and accounts its events changed, or a reorg back to `ancestor`. Ids are decimal strings, since JSON numbers cannot
 * hold a uint256. The indexer writes it, the API reads it with this schema.
 */
export const announcement = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("block"),
    chainId: z.number().int(),
    from: decimal,
    to: decimal,
    orderIds: z.array(decimal),
    proposalIds: z.array(decimal),
    accounts: z.array(z.string()),
    /** Set when the lists were dropped to fit the transport: refresh everything the block range may touch. */
    truncated: z.literal(true).optional(),
  }),
  z.object({ type: z.literal("reorg"), chainId: z.number().int(), ancestor: decimal }),
]);

export type Announcement = z.infer<typeof announcement>;
