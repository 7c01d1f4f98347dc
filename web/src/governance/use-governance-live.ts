import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import type { StreamTicket } from "../../../protocol/api/events";
import { useSession } from "../api/session-context";
import { GOVERNANCE_KEY } from "./use-governance-queries";

/**
 * For a signed-in user, refetches the governance queries as soon as the API's live stream reports a block the
 * indexer committed (`chain` events name the proposals and accounts touched; a reorg or resync touches everything).
 * Visitors without a session rely on the queries' short poll.
 */
export function useGovernanceLive(): void {
  const session = useSession();
  const queryClient = useQueryClient();
  const userId = session.user?.id;
  useEffect(() => {
    if (userId === undefined) return;
    let source: EventSource | undefined;
    let stopped = false;
    void session
      .request<StreamTicket>("/api/events/ticket", { method: "POST" })
      .then(({ ticket }) => {
        if (stopped) return;
        source = new EventSource(`/api/events?ticket=${encodeURIComponent(ticket)}`);
        source.addEventListener("chain", () => void queryClient.invalidateQueries({ queryKey: [GOVERNANCE_KEY] }));
      })
      .catch(() => undefined);
    return () => {
      stopped = true;
      source?.close();
    };
    // The session object is rebuilt with its provider; only the user id decides whether to stream.
  }, [userId, queryClient]);
}
