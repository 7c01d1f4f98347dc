import { useQuery } from "@tanstack/react-query";

import type { CheckoutOrders } from "../../../protocol/api/checkout";
import type { OrderSummary } from "../../../protocol/api/orders";
import { useSession } from "../api/session-context";

/** Polling's pace while orders await payment, for when the live stream is down; the stream refetches sooner. */
const FALLBACK_POLL_MS = 5_000;

/**
 * The orders of one checkout (GET /api/checkouts/:id), refetched on the live stream's events (the query lives under
 * `orders`, which `notification` and `chain` events refetch) and, while any awaits payment, every few seconds in case
 * the stream dropped.
 */
export function useCheckoutOrders(checkoutId: string | undefined) {
  const session = useSession();
  return useQuery({
    queryKey: ["orders", "checkout", checkoutId],
    queryFn: async ({ signal }): Promise<OrderSummary[]> =>
      (await session.request<CheckoutOrders>(`/api/checkouts/${checkoutId}`, { signal })).orders,
    enabled: session.user !== undefined && checkoutId !== undefined,
    refetchInterval: (query) => {
      const orders = query.state.data;
      return orders !== undefined && orders.length > 0 && orders.every((order) => order.status !== "awaiting_payment")
        ? false
        : FALLBACK_POLL_MS;
    },
  });
}
