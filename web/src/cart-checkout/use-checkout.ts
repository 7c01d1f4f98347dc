import { useMutation, useQueryClient } from "@tanstack/react-query";

import type { CheckoutMethod, CheckoutResult } from "../../../protocol/api/checkout";
import { useSession } from "../api/session-context";
import { checkoutKey } from "./checkout-key";

/**
 * Checks the cart out with `method`. Retries reuse the attempt's Idempotency-Key, so the API answers with the same
 * checkout instead of reserving the stock twice.
 */
export function useCheckout() {
  const session = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (method: CheckoutMethod) =>
      session.request<CheckoutResult>("/api/checkout", {
        method: "POST",
        body: { paymentMethod: method },
        headers: { "Idempotency-Key": checkoutKey(method) },
      }),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ["cart"] }),
        queryClient.invalidateQueries({ queryKey: ["orders"] }),
      ]),
  });
}
