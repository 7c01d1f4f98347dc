import { useQuery } from "@tanstack/react-query";

import type { OrderPage, OrderSummary } from "../../../protocol/api/orders";
import { useSession } from "../api/session-context";

/**
 * The orders of one checkout, refetched every two seconds until all are paid (the live stream refetches sooner when
 * the indexer or a webhook reports something; polling covers a dropped stream).
 */
export function useCheckoutOrders(checkoutId: string | undefined) {
  const session = useSession();
  return useQuery({
    queryKey: ["orders", "checkout", checkoutId],
    queryFn: async ({ signal }): Promise<OrderSummary[]> => {
      const page = await session.request<OrderPage>("/api/orders?limit=100", { signal });
      return page.orders.filter((order) => order.checkoutId === checkoutId);
    },
    enabled: session.user !== undefined && checkoutId !== undefined,
    refetchInterval: (query) => {
      const orders = query.state.data;
      return orders !== undefined && orders.length > 0 && orders.every((order) => order.status !== "awaiting_payment")
        ? false
        : 2_000;
    },
  });
}
