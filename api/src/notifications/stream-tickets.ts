import { createHash, randomBytes } from "node:crypto";

import type { KeyValueStore } from "../stores/store.js";

/**
 * Single-use tickets that open an event stream. A browser's EventSource cannot send an Authorization header, and an
 * access token in a URL would end up in logs and history; a ticket in the URL is worth one stream, for seconds.
 * Only the ticket's hash is stored, shared by every replica, and taken atomically: of two redemptions one wins.
 */
export interface StreamTickets {
  issue(userId: string): Promise<{ ticket: string; expiresAt: Date }>;
  /** The user the ticket was issued to, once; undefined when it is unknown, used or expired. */
  redeem(ticket: string): Promise<string | undefined>;
}

export function createStreamTickets(deps: {
  keyValue: KeyValueStore;
  ttlMs: number;
  now?: () => number;
}): StreamTickets {
  const { keyValue, ttlMs, now = Date.now } = deps;
  const keyOf = (ticket: string) => `sse-ticket:${createHash("sha256").update(ticket).digest("hex")}`;
  return {
    async issue(userId) {
      const ticket = randomBytes(32).toString("base64url");
      await keyValue.set(keyOf(ticket), userId, ttlMs);
      return { ticket, expiresAt: new Date(now() + ttlMs) };
    },
    async redeem(ticket) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) return undefined;
      return keyValue.take(keyOf(ticket));
    },
  };
}
