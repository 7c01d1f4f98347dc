import { Redis } from "ioredis";
import pg from "pg";
import type { Logger } from "pino";

import { announceChannel, announcement, notifyChannel } from "../../../protocol/announcement.js";
import type { Announcement } from "../../../protocol/announcement.js";
import type { LiveStreams } from "./live-streams.js";

/**
 * What the indexer committed, or `resync`: the listener was disconnected and announcements may have been lost, so
 * anything kept in step with them must re-read what it follows.
 */
export type ChainEvent = Announcement | { type: "resync"; chainId: number };

/** Reacts to what the indexer committed (the escrow linker marks orders paid from it). */
export type AnnouncementListener = (event: ChainEvent) => void | Promise<void>;

export interface IndexerAnnouncements {
  /** Registers a listener for every announcement from now on; returns how to remove it. */
  onAnnouncement(listener: AnnouncementListener): () => void;
  /** Subscribes; resolves once announcements are being received. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Waits between attempts to get the PostgreSQL listener back: doubling from the first, up to the last. */
const RECONNECT_DELAYS_MS = { first: 500, max: 30_000 };

/**
 * Receives the indexer's announcements (protocol/announcement.ts): from Redis pub/sub when `redisUrl` is set, as the
 * indexer then publishes there, else from PostgreSQL NOTIFY on a connection of its own (a pooled one would lose the
 * LISTEN when returned). That connection is re-opened with backoff whenever it drops; announcements sent while it
 * was down are lost (with either transport), so after reconnecting a `resync` event goes out in their place.
 * Each event goes to every registered listener and, as a `chain` event, to every stream of this process:
 * every API process hears the indexer itself, so this never goes through the live bus (it would arrive N times).
 */
export function createIndexerAnnouncements(deps: {
  chainId: number;
  redisUrl?: string;
  databaseUrl: string;
  streams: Pick<LiveStreams, "broadcast">;
  log: Logger;
}): IndexerAnnouncements {
  const { chainId, redisUrl, databaseUrl, streams, log } = deps;
  const listeners = new Set<AnnouncementListener>();
  let stopped = false;
  let redis: Redis | undefined;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = RECONNECT_DELAYS_MS.first;

  const dispatch = (event: ChainEvent) => {
    streams.broadcast({ name: "chain", data: event });
    for (const listener of listeners) {
      Promise.resolve()
        .then(() => listener(event))
        .catch((error: unknown) => log.error({ err: error }, "an indexer announcement listener failed"));
    }
  };
  const resync = () => dispatch({ type: "resync", chainId });

  const receive = (text: string) => {
    let parsed: Announcement;
    try {
      parsed = announcement.parse(JSON.parse(text));
    } catch (error) {
      log.warn({ err: error }, "ignored a malformed indexer announcement");
      return;
    }
    if (parsed.chainId === chainId) dispatch(parsed);
  };

  const listenToPostgres = async () => {
    const connection = new pg.Client({ connectionString: databaseUrl });
    const reconnect = (error?: unknown) => {
      if (client !== connection) return;
      client = undefined;
      connection.removeAllListeners();
      connection.on("error", () => undefined);
      void connection.end().catch(() => undefined);
      if (stopped) return;
      log.warn({ err: error, retryInMs: delay }, "lost the indexer announcement listener; reconnecting");
      retry = setTimeout(() => {
        retry = undefined;
        listenToPostgres().then(resync, () => undefined);
      }, delay);
      delay = Math.min(delay * 2, RECONNECT_DELAYS_MS.max);
    };
    client = connection;
    connection.on("error", reconnect);
    connection.on("end", () => reconnect(new Error("the connection ended")));
    connection.on("notification", (message) => {
      if (message.payload !== undefined) receive(message.payload);
    });
    try {
      await connection.connect();
      await connection.query(`LISTEN ${notifyChannel(chainId)}`);
      delay = RECONNECT_DELAYS_MS.first;
    } catch (error) {
      reconnect(error);
      throw error;
    }
  };

  // ioredis queues the SUBSCRIBE while Redis is unreachable but gives up after its retries; try again with backoff.
  const subscribeToRedis = async (connection: Redis): Promise<void> => {
    try {
      await connection.subscribe(announceChannel(chainId));
      delay = RECONNECT_DELAYS_MS.first;
    } catch (error) {
      if (stopped) return;
      log.warn({ err: error, retryInMs: delay }, "could not subscribe to indexer announcements; retrying");
      retry = setTimeout(() => {
        retry = undefined;
        subscribeToRedis(connection).then(resync, () => undefined);
      }, delay);
      delay = Math.min(delay * 2, RECONNECT_DELAYS_MS.max);
      throw error;
    }
  };

  return {
    onAnnouncement(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      if (redisUrl !== undefined) {
        redis = new Redis(redisUrl);
        let connected = false;
        // ioredis subscribes again by itself after a reconnect; what was published meanwhile is lost.
        redis.on("ready", () => {
          if (connected) resync();
          connected = true;
        });
        redis.on("message", (_channel: string, message: string) => receive(message));
        redis.on("error", (error) => log.warn({ err: error }, "indexer announcement subscriber error"));
        await subscribeToRedis(redis);
        return;
      }
      await listenToPostgres();
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      listeners.clear();
      await redis?.quit();
      redis = undefined;
      const connection = client;
      client = undefined;
      await connection?.end();
    },
  };
}
