import type { Redis } from "ioredis";
import type { Pool } from "pg";

import { announceChannel, notifyChannel } from "../../protocol/announcement.js";
import type { Announcement } from "../../protocol/announcement.js";
import type { SyncStep } from "./sync.js";

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
