import type { Router } from "@koa/router";
import type { EntityManager } from "@mikro-orm/postgresql";

import { ServiceUnavailableError, UnauthorizedError, ValidationError } from "../../errors.js";
import type { ApiContext, ApiState } from "../../http/api-context.js";
import type { HandWrittenOperation } from "../../http/build-openapi-document.js";
import { defineRoute } from "../../http/define-route.js";
import type { ApiRoute } from "../../http/define-route.js";
import type { EnforceRateLimit } from "../../http/middleware/rate-limit.js";
import type { LiveEventBus } from "../../notifications/live-event-bus.js";
import type { LiveStreams } from "../../notifications/live-streams.js";
import { notificationEvent, parseNotificationId } from "../../notifications/notification-service.js";
import type { NotificationService } from "../../notifications/notification-service.js";
import type { StreamTickets } from "../../notifications/stream-tickets.js";
import { streamTicketResponse } from "../../../../protocol/api/events.js";

export const EVENTS_PATH = "/api/events";

/** `GET /api/events` in the OpenAPI document: a stream, not JSON, so it is described here by hand. */
export const EVENT_STREAM_OPERATION: HandWrittenOperation = {
  path: EVENTS_PATH,
  method: "get",
  operation: {
    operationId: "getApiEvents",
    summary: "The signed-in user's live events (server-sent events)",
    description:
      "`event: notification` (data: the notification as GET /api/notifications lists it; `id`: its id), " +
      "`event: chain` when the indexer committed new blocks, `event: resync` when more were missed than are " +
      "replayed (reload the list). Resume with `Last-Event-ID`, or `?lastEventId=` when opening a new EventSource.",
    tags: ["notifications"],
    security: [{ bearer: [] }, {}],
    parameters: [
      {
        name: "ticket",
        in: "query",
        required: false,
        description: "Single-use ticket from POST /api/events/ticket, for an EventSource that cannot send headers",
        schema: { type: "string" },
      },
      {
        name: "lastEventId",
        in: "query",
        required: false,
        description: "The last notification id seen; the stored ones after it are sent first",
        schema: { type: "string" },
      },
      { name: "Last-Event-ID", in: "header", required: false, schema: { type: "string" } },
    ],
    responses: {
      200: { description: "The event stream", content: { "text/event-stream": { schema: { type: "string" } } } },
      400: "The last event id is not one",
      401: "Neither an access token nor a valid ticket",
      429: "Rate limited; see Retry-After",
      503: "Live events are unavailable or the API is shutting down",
    },
  },
};

/** Notifications replayed to a reconnecting stream at most; beyond that the client is told to reload its list. */
const MAX_REPLAY = 200;

/** The JSON half of the live stream: tickets that let a browser's EventSource open it without a header. */
export function createEventRoutes({ tickets }: { tickets: StreamTickets }): ApiRoute[] {
  return [
    defineRoute({
      method: "post",
      path: `${EVENTS_PATH}/ticket`,
      auth: "user",
      summary: "A short-lived, single-use ticket to open GET /api/events from a browser's EventSource",
      tags: ["notifications"],
      responses: { 201: streamTicketResponse },
    }).handle(async ({ user }) => {
      const { ticket, expiresAt } = await tickets.issue(user.id);
      return {
        status: 201,
        body: { ticket, expiresAt: expiresAt.toISOString() },
        headers: { "Cache-Control": "no-store" },
      };
    }),
  ];
}

/**
 * `GET /api/events`: the signed-in user's server-sent events (`notification` with the notification id as event id,
 * `chain` when the indexer committed something). Signed in by `Authorization: Bearer` or by `?ticket=`. A stream
 * resumed with `Last-Event-ID` (or `?lastEventId=`, for a new EventSource after a ticket) first gets the stored
 * notifications it missed. Not a JSON route, so it is mounted here rather than with defineRoute.
 */
export function mountEventStreamRoute(
  router: Router<ApiState>,
  deps: {
    enforceRateLimit: EnforceRateLimit;
    tickets: StreamTickets;
    bus: LiveEventBus;
    streams: LiveStreams;
    notifications: NotificationService;
    forkEntityManager: () => EntityManager;
    shutdown?: AbortSignal;
  },
): void {
  const { enforceRateLimit, tickets, bus, streams, notifications, forkEntityManager, shutdown } = deps;
  router.get(EVENTS_PATH, async (ctx: ApiContext) => {
    ctx.state.routePattern = EVENTS_PATH;
    await enforceRateLimit(ctx, "default");
    const userId = await streamUser(ctx, tickets);
    const lastEventId = resumeFrom(ctx);
    if (shutdown?.aborted === true) throw new ServiceUnavailableError("The API is shutting down");
    try {
      await bus.ready();
    } catch {
      throw new ServiceUnavailableError("Live events are unavailable right now");
    }

    const stream = streams.open(userId);
    try {
      const missed =
        lastEventId === undefined
          ? []
          : await notifications.missedSince(forkEntityManager(), userId, lastEventId, MAX_REPLAY + 1);
      const events = missed.slice(0, MAX_REPLAY).map(notificationEvent);
      if (missed.length > MAX_REPLAY) events.push({ name: "resync", data: { reason: "too_many_missed" } });
      stream.replay(events);
    } catch (error) {
      stream.close();
      throw error;
    }

    // Long-lived: no socket timeout, no Nagle delay on small events, and no compression (it would buffer events).
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.req.socket.setKeepAlive(true);
    ctx.compress = false;
    ctx.status = 200;
    ctx.set({
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    ctx.body = stream.body;
  });
}

/** The user a stream is for: from the access token, or from a ticket (which is used up by this). */
async function streamUser(ctx: ApiContext, tickets: StreamTickets): Promise<string> {
  const ticket = ctx.query.ticket;
  if (ctx.state.user !== undefined) return ctx.state.user.id;
  if (ctx.state.authError !== undefined) throw ctx.state.authError;
  if (typeof ticket !== "string") {
    throw new UnauthorizedError("Send an Authorization: Bearer access token, or ?ticket= from POST /api/events/ticket");
  }
  const userId = await tickets.redeem(ticket);
  if (userId === undefined) throw new UnauthorizedError("The stream ticket is unknown, used or expired");
  return userId;
}

/** The id of the last event the client saw, if it is resuming. */
function resumeFrom(ctx: ApiContext): string | undefined {
  const header = ctx.get("Last-Event-ID");
  const query = ctx.query.lastEventId;
  const text = header !== "" ? header : typeof query === "string" ? query : undefined;
  if (text === undefined) return undefined;
  const id = parseNotificationId(text.trim());
  if (id === undefined) {
    throw new ValidationError("The request is invalid", [
      { path: header !== "" ? "headers.last-event-id" : "query.lastEventId", message: "expected an event id" },
    ]);
  }
  return id;
}
