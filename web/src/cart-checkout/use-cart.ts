import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { Cart } from "../../../protocol/api/cart";
import { useSession } from "../api/session-context";

/** The cart query key of the current shopper: anonymous and signed-in carts are different carts. */
function cartKey(userId: string | undefined) {
  return ["cart", userId ?? "anonymous"] as const;
}

/** The shopper's cart (grouped by farm, with fees and totals as the API computes them). */
export function useCart() {
  const session = useSession();
  return useQuery({
    queryKey: cartKey(session.user?.id),
    queryFn: ({ signal }) => session.request<Cart>("/api/cart", { signal }),
    enabled: session.ready,
  });
}

/** Sets a line's quantity, or removes the line with quantity 0; the cart view is replaced by the API's answer. */
export function useSetCartQuantity() {
  const session = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ productId, quantity }: { productId: string; quantity: number }) =>
      quantity === 0
        ? session.request<Cart>(`/api/cart/items/${productId}`, { method: "DELETE" })
        : session.request<Cart>(`/api/cart/items/${productId}`, { method: "PUT", body: { quantity } }),
    onSuccess(cart) {
      session.noteAnonymousCart();
      queryClient.setQueryData(cartKey(session.user?.id), cart);
    },
  });
}
