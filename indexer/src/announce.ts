import type { Redis } from "ioredis";
import type { Pool } from "pg";

import type { SyncStep } from "./sync.js";

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

/** One announcement, as JSON: ids are decimal strings, since JSON numbers cannot hold a uint256. */
export type Announcement =
  | {
      type: "block";
      chainId: number;
      from: string;
      to: string;
      orderIds: string[];
      proposalIds: string[];
      accounts: string[];
      /** Set when the lists were dropped to fit the transport: refresh everything the block range may touch. */
      truncated?: true;
    }
  | { type: "reorg"; chainId: number; ancestor: string };

/** Publishes what each committed step changed. */
export interface Announcer {
  announce(step: SyncStep): Promise<void>;
}

// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; a little headroom for multi-byte characters.
const NOTIFY_PAYLOAD_LIMIT = 7_900;

/** Builds the message for a step; idle steps changed nothing and are not announced. */
export function announcementOf(chainId: number, step: SyncStep): Announcement | undefined {
  if (step.type === "idle") return undefined;
  if (step.type === "reorg") return { type: "reorg", chainId, ancestor: step.ancestor.toString() };
  // A batch without events of ours changed no read model: nothing for a listener to refresh.
  if (step.eventCount === 0) return undefined;
  return {
    type: "block",
    chainId,
    from: step.from.toString(),
    to: step.to.toString(),
    orderIds: step.changes.orderIds.map(String),
    proposalIds: step.changes.proposalIds.map(String),
    accounts: step.changes.accounts,
  };
}

/**
 * Announces over Redis pub/sub when `redis` is given, else over PostgreSQL NOTIFY on `db`. Call it only after a
 * step's transaction committed (runIndexer's `onStep` does), so a listener that reacts reads the new rows.
 */
export function createAnnouncer(deps: { chainId: number; redis?: Redis; db: Pool }): Announcer {
  const { chainId, redis, db } = deps;
  return {
    async announce(step) {
      const message = announcementOf(chainId, step);
      if (message === undefined) return;
      if (redis !== undefined) {
        await redis.publish(announceChannel(chainId), JSON.stringify(message));
        return;
      }
      let payload = JSON.stringify(message);
      if (Buffer.byteLength(payload) > NOTIFY_PAYLOAD_LIMIT && message.type === "block") {
        payload = JSON.stringify({ ...message, orderIds: [], proposalIds: [], accounts: [], truncated: true });
      }
      await db.query("SELECT pg_notify($1, $2)", [notifyChannel(chainId), payload]);
    },
  };
}
