import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { NotificationPage, UnreadCount } from "../../../protocol/api/notifications";
import { useSession } from "../api/session-context";

/** How many notifications the signed-in user has not read. */
export function useUnreadCount() {
  const session = useSession();
  return useQuery({
    queryKey: ["notifications", "unread", session.user?.id],
    queryFn: ({ signal }) => session.request<UnreadCount>("/api/notifications/unread-count", { signal }),
    enabled: session.user !== undefined,
  });
}

/** The signed-in user's latest notifications, newest first. */
export function useNotifications() {
  const session = useSession();
  return useQuery({
    queryKey: ["notifications", "list", session.user?.id],
    queryFn: ({ signal }) => session.request<NotificationPage>("/api/notifications?limit=50", { signal }),
    enabled: session.user !== undefined,
  });
}

/** Marks one notification read, or all of them when no id is given. */
export function useMarkRead() {
  const session = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string | undefined) =>
      session.request(id === undefined ? "/api/notifications/read-all" : `/api/notifications/${id}/read`, {
        method: "POST",
      }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["notifications"] }),
  });
}
