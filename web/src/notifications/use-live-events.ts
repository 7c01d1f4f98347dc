import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import type { StreamTicket } from "../../../protocol/api/events";
import { useSession } from "../api/session-context";

// After an error, the next attempt waits this long (EventSource's own retry cannot renew a single-use ticket).
const RETRY_MS = 5_000;

/**
 * Follows the signed-in user's live events: a single-use ticket from POST /api/events/ticket opens an EventSource
 * (which cannot send an Authorization header). `notification` refetches the notifications, `chain` (the indexer
 * committed blocks) refetches orders, `resync` (announcements may have been lost) refetches everything.
 */
export function useLiveEvents(): void {
  const session = useSession();
  const queryClient = useQueryClient();
  const userId = session.user?.id;
  useEffect(() => {
    if (userId === undefined) return;
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let lastEventId: string | undefined;
    const open = async () => {
      try {
        const { ticket } = await session.request<StreamTicket>("/api/events/ticket", { method: "POST" });
        if (stopped) return;
        const query = new URLSearchParams({ ticket });
        if (lastEventId !== undefined) query.set("lastEventId", lastEventId);
        source = new EventSource(`/api/events?${query.toString()}`);
        source.addEventListener("notification", (event) => {
          if (event.lastEventId !== "") lastEventId = event.lastEventId;
          void queryClient.invalidateQueries({ queryKey: ["notifications"] });
          void queryClient.invalidateQueries({ queryKey: ["orders"] });
        });
        source.addEventListener("chain", () => void queryClient.invalidateQueries({ queryKey: ["orders"] }));
        source.addEventListener("resync", () => void queryClient.invalidateQueries());
        source.onerror = () => {
          source?.close();
          if (!stopped) retry = setTimeout(() => void open(), RETRY_MS);
        };
      } catch {
        if (!stopped) retry = setTimeout(() => void open(), RETRY_MS);
      }
    };
    void open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [userId, session, queryClient]);
}
