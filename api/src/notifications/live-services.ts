import type { Logger } from "pino";

import type { ApiMetrics } from "../api-metrics.js";
import type { ApiConfig } from "../config.js";
import type { Store } from "../stores/store.js";
import { createLiveEventBus } from "./live-event-bus.js";
import type { LiveEventBus } from "./live-event-bus.js";
import { createLiveStreams } from "./live-streams.js";
import type { LiveStreams } from "./live-streams.js";
import { createNotificationService } from "./notification-service.js";
import type { NotificationService } from "./notification-service.js";

/** What one API process needs to notify users and push events to them: built once, shared by app and workers. */
export interface LiveServices {
  /** The event streams open in this process. */
  streams: LiveStreams;
  /** Per-user events across every API process. */
  bus: LiveEventBus;
  notifications: NotificationService;
}

/**
 * Builds the live services of one API process. main.ts builds them before the app so that work outside requests
 * (indexer announcements, the escrow linker) notifies through the same service and feeds the same streams.
 */
export function createLiveServices(deps: {
  config: ApiConfig;
  store: Store;
  metrics: ApiMetrics;
  log: Logger;
}): LiveServices {
  const { config, store, metrics, log } = deps;
  const streams = createLiveStreams({
    maxStreamsPerUser: config.sse.maxStreamsPerUser,
    heartbeatMs: config.sse.heartbeatMs,
    onCount: (open) => metrics.sseStreams.set(open),
  });
  const bus = createLiveEventBus({
    pubSub: store.pubSub,
    deliver: (userId, event) => streams.deliver(userId, event),
    onError: (error) => log.warn({ err: error }, "live events bus error"),
  });
  const notifications = createNotificationService({
    bus,
    onPublishError: (error) => log.warn({ err: error }, "a stored notification could not be pushed live"),
  });
  return { streams, bus, notifications };
}
