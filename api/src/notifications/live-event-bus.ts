import { z } from "zod";

import type { PubSub } from "../stores/store.js";

/** One server-sent event: its name (`event:`), its id when it can be replayed (`id:`), and its JSON data. */
export interface LiveEvent {
  name: string;
  id?: string;
  data: unknown;
}

/** Publishes events for one user to every API process; each hands them to that user's streams it holds. */
export interface LiveEventBus {
  publish(userId: string, event: LiveEvent): Promise<void>;
  /** Resolves once this process receives what any process publishes (the subscription is in place). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** The pub/sub channel (under the store's prefix) every API process shares for per-user events. */
export const LIVE_EVENTS_CHANNEL = "live-events";

const message = z.object({
  userId: z.string(),
  event: z.object({ name: z.string(), id: z.string().optional(), data: z.unknown() }),
});

/**
 * One channel for every user rather than one per user: a process then holds one subscription however many users it
 * streams to, at the price of each process reading every user's events and dropping those it has no stream for.
 */
export function createLiveEventBus(deps: {
  pubSub: PubSub;
  /** Hands an event to this process's streams of the user (live-streams.ts). */
  deliver: (userId: string, event: LiveEvent) => void;
  onError: (error: unknown) => void;
}): LiveEventBus {
  const { pubSub, deliver, onError } = deps;
  const subscription = pubSub.subscribe(LIVE_EVENTS_CHANNEL, (text) => {
    let parsed: z.output<typeof message>;
    try {
      parsed = message.parse(JSON.parse(text));
    } catch (error) {
      onError(new Error("dropped a malformed live event", { cause: error }));
      return;
    }
    deliver(parsed.userId, parsed.event);
  });
  // Awaited by whoever needs it; a failure is reported once here rather than as an unhandled rejection.
  subscription.catch(onError);
  return {
    async publish(userId, event) {
      await pubSub.publish(LIVE_EVENTS_CHANNEL, JSON.stringify({ userId, event }));
    },
    async ready() {
      await subscription;
    },
    async close() {
      const unsubscribe = await subscription.catch(() => undefined);
      await unsubscribe?.();
    },
  };
}
