import { useMutation, useQueryClient } from "@tanstack/react-query";

import type { PaymentPage } from "../../../protocol/api/card-orders";
import type { OrderDetail } from "../../../protocol/api/orders";
import { useSession } from "../api/session-context";

/** The two delivery steps of a paid card order: the farm ships it, then the buyer confirms it arrived. */
export type CardDeliveryStep = "ship" | "confirm";

/** Takes a delivery step of a card order (escrow orders take theirs on-chain, through the wallet). */
export function useCardDelivery() {
  const session = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ orderId, step }: { orderId: string; step: CardDeliveryStep }) =>
      session.request<OrderDetail>(`/api/orders/${orderId}/${step}`, { method: "POST" }),
    onSuccess: (order) => queryClient.setQueryData(["orders", "detail", order.id], order),
    // Also after a refusal: the order has likely moved on, and the page should show where it stands.
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["orders"] }),
  });
}

/** Asks for the Stripe page where an unpaid card order is paid (the caller then goes there). */
export function useCardPaymentPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (orderId: string) => session.request<PaymentPage>(`/api/orders/${orderId}/payment-page`),
    // A closed page usually means the order expired meanwhile: show where it stands.
    onError: () => queryClient.invalidateQueries({ queryKey: ["orders"] }),
  });
}
