import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";

import type { RefundResult, refundBody } from "../../../protocol/api/card-orders";
import type { FlagPage, OrderDetail, OrderPage } from "../../../protocol/api/orders";
import { useSession } from "../api/session-context";

/** The signed-in buyer's orders, newest first (the first page). */
export function useOrders() {
  const session = useSession();
  return useQuery({
    queryKey: ["orders", "mine", session.user?.id],
    queryFn: ({ signal }) => session.request<OrderPage>("/api/orders?limit=50", { signal }),
    enabled: session.user !== undefined,
  });
}

/** The orders placed with the signed-in farmer's farms. */
export function useFarmerOrders() {
  const session = useSession();
  return useQuery({
    queryKey: ["orders", "farmer", session.user?.id],
    queryFn: ({ signal }) => session.request<OrderPage>("/api/farmer/orders?limit=100", { signal }),
    enabled: session.user !== undefined,
  });
}

/** One order with its flags and merged timeline; `poll` refetches every few seconds while a payment is awaited. */
export function useOrder(id: string | undefined, poll = false) {
  const session = useSession();
  return useQuery({
    queryKey: ["orders", "detail", id],
    queryFn: ({ signal }) => session.request<OrderDetail>(`/api/orders/${id}`, { signal }),
    enabled: session.user !== undefined && id !== undefined,
    refetchInterval: poll ? 2_000 : false,
  });
}

/** Cancels an unpaid order (its reserved stock goes back on sale). */
export function useCancelOrder() {
  const session = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => session.request(`/api/orders/${id}/cancel`, { method: "POST" }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["orders"] }),
  });
}

/** Payments that did not match their orders, for admins. */
export function useOrderFlags() {
  const session = useSession();
  return useQuery({
    queryKey: ["orders", "flags"],
    queryFn: ({ signal }) => session.request<FlagPage>("/api/admin/order-flags?limit=100", { signal }),
    enabled: session.user !== undefined,
  });
}

/**
 * A refund staff issue on a card order: how much (minor units), why, and the Idempotency-Key of this attempt (the
 * same for a retry of the same refund, so it is never issued twice).
 */
export type RefundInput = z.input<typeof refundBody> & { key: string };

/** Refunds part or all of a card order to the buyer's card (admins and arbiters); the order is read again after. */
export function useRefundOrder(orderId: string) {
  const session = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ key, ...input }: RefundInput) =>
      session.request<RefundResult>(`/api/orders/${orderId}/refunds`, {
        method: "POST",
        body: input,
        headers: { "Idempotency-Key": key },
      }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["orders"] }),
  });
}
