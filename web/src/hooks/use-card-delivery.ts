import { useMutation, useQueryClient } from "@tanstack/react-query";

import type { OrderDetail } from "../api/types";
import { useSession } from "./session-context";

/** The two delivery steps of a paid card order: the farm ships it, then the buyer confirms it arrived. */
export type CardDeliveryStep = "ship" | "confirm";

/** Takes one delivery step of a card order (escrow orders take theirs on-chain, through the wallet). */
export function useCardDelivery(step: CardDeliveryStep) {
  const session = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (orderId: string) => session.request<OrderDetail>(`/api/orders/${orderId}/${step}`, { method: "POST" }),
    onSuccess: (order) => queryClient.setQueryData(["orders", "detail", order.id], order),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["orders"] }),
  });
}
