import { requestJson } from "./request-json";

// An early read serves the first render that asks for it, soon after the page loads; a read asked for later (the
// visitor went elsewhere first) is made afresh, not served from the page's start.
const MAX_AGE_MS = 10_000;

interface EarlyRead {
  startedAt: number;
  body: Promise<unknown>;
  /** Resolves once the body has arrived or the read has failed. */
  settled: Promise<void>;
  arrived?: { body: unknown; at: number };
}

const reads = new Map<string, EarlyRead>();

/**
 * Starts an anonymous GET of `path` now, while the app that will ask for it is still downloading: the page's data
 * then arrives alongside its code instead of after it. Only for public reads, the same for every visitor. Resolves
 * once the read has arrived or failed.
 */
export function readEarly(path: string): Promise<void> {
  const started = reads.get(path);
  if (started !== undefined) return started.settled;
  const body = requestJson(path);
  const read: EarlyRead = {
    startedAt: Date.now(),
    body,
    settled: body.then(
      (arrived) => {
        read.arrived = { body: arrived, at: Date.now() };
      },
      // A failed read is taken like any other: the query that takes it sees the error and retries on its own.
      () => undefined,
    ),
  };
  reads.set(path, read);
  return read.settled;
}

function take(path: string): EarlyRead | undefined {
  const read = reads.get(path);
  reads.delete(path);
  return read !== undefined && Date.now() - read.startedAt <= MAX_AGE_MS ? read : undefined;
}

/** The early read of `path` if its body has already arrived, taken: lets the first render show it at once. */
export function takeArrivedRead<T>(path: string): { body: T; at: number } | undefined {
  if (reads.get(path)?.arrived === undefined) return undefined;
  return take(path)?.arrived as { body: T; at: number } | undefined;
}

/** The early read of `path`, arrived or still on its way, taken; undefined when there is none to use. */
export function takeEarlyRead<T>(path: string): Promise<T> | undefined {
  return take(path)?.body as Promise<T> | undefined;
}
