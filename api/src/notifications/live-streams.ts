import { PassThrough } from "node:stream";

import { ServiceUnavailableError, TooManyStreamsError } from "../errors.js";
import type { LiveEvent } from "./live-event-bus.js";

/** One open server-sent event stream. */
export interface LiveStream {
  /** The response body: `text/event-stream` bytes. */
  readonly body: PassThrough;
  /**
   * Sends what the stream missed (read from the database after the stream was registered), then the live events
   * that arrived meanwhile, minus those the replay already carried. Until then live events wait.
   */
  replay(missed: readonly LiveEvent[]): void;
  close(): void;
}

/** The open event streams of this process, by user. */
export interface LiveStreams {
  /** Registers a stream for `userId`; throws TooManyStreamsError beyond the per-user cap. */
  open(userId: string): LiveStream;
  /** Sends an event to every stream of `userId` in this process. */
  deliver(userId: string, event: LiveEvent): void;
  /** Sends an event to every stream of this process (chain changes, which anyone's page may show). */
  broadcast(event: LiveEvent): void;
  /** Ends every stream and refuses new ones: the process is shutting down. */
  closeAll(): void;
  /** Open streams in this process. */
  readonly size: number;
}

/** A client that lets this much pile up unread is not reading: its stream is closed rather than buffered forever. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** Formats one event in the text/event-stream syntax; data is JSON, which never contains a raw newline. */
export function formatLiveEvent(event: LiveEvent): string {
  const id = event.id === undefined ? "" : `id: ${event.id}\n`;
  return `event: ${event.name}\n${id}data: ${JSON.stringify(event.data)}\n\n`;
}

/** The registry of this process's event streams, each with its heartbeat; at most `maxStreamsPerUser` per user. */
export function createLiveStreams(options: {
  maxStreamsPerUser: number;
  heartbeatMs: number;
  /** Follows the number of open streams (a gauge). */
  onCount?: (open: number) => void;
}): LiveStreams {
  const { maxStreamsPerUser, heartbeatMs, onCount } = options;
  const byUser = new Map<string, Set<Connection>>();
  let size = 0;
  let closed = false;

  interface Connection {
    write(text: string): void;
    send(event: LiveEvent): void;
    close(): void;
  }

  const open = (userId: string): LiveStream => {
    if (closed) throw new ServiceUnavailableError("The API is shutting down; reconnect to another instance");
    const streams = byUser.get(userId) ?? new Set<Connection>();
    if (streams.size >= maxStreamsPerUser) throw new TooManyStreamsError(maxStreamsPerUser);
    byUser.set(userId, streams);

    const body = new PassThrough();
    let waiting: LiveEvent[] | undefined = [];
    let ended = false;
    const heartbeat = setInterval(() => connection.write(": heartbeat\n\n"), heartbeatMs);
    const connection: Connection = {
      write(text) {
        if (ended) return;
        body.write(text);
        // Ending would queue behind what is unread; destroying drops it and the connection at once.
        if (body.writableLength > MAX_BUFFERED_BYTES) {
          connection.close();
          body.destroy();
        }
      },
      send(event) {
        if (waiting !== undefined) waiting.push(event);
        else connection.write(formatLiveEvent(event));
      },
      close() {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        streams.delete(connection);
        if (streams.size === 0 && byUser.get(userId) === streams) byUser.delete(userId);
        size -= 1;
        onCount?.(size);
        body.end();
      },
    };
    streams.add(connection);
    size += 1;
    onCount?.(size);
    // The client went away (or the response failed): forget the stream.
    body.on("close", () => connection.close());
    // A comment first, so proxies and clients see the stream start before any event.
    connection.write(": stream open\n\n");

    return {
      body,
      replay(missed) {
        if (waiting === undefined) throw new Error("A stream replays once");
        const replayed = new Set(missed.flatMap((event) => (event.id === undefined ? [] : [event.id])));
        const live = waiting.filter((event) => event.id === undefined || !replayed.has(event.id));
        waiting = undefined;
        for (const event of [...missed, ...live]) connection.write(formatLiveEvent(event));
      },
      close: () => connection.close(),
    };
  };

  return {
    open,
    deliver(userId, event) {
      for (const connection of byUser.get(userId) ?? []) connection.send(event);
    },
    broadcast(event) {
      for (const streams of byUser.values()) for (const connection of streams) connection.send(event);
    },
    closeAll() {
      closed = true;
      for (const streams of [...byUser.values()]) for (const connection of [...streams]) connection.close();
    },
    get size() {
      return size;
    },
  };
}
