import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";

import type { FarmStock, Product, ProductPage, createProductBody } from "../../../protocol/api/products";
import type { Farm } from "../../../protocol/api/farms";
import { ApiError } from "../api/api-error";
import { useSession } from "../api/session-context";

/** The signed-in farmer's farm; null when they have not created it yet. `enabled: false` asks nothing (not a farmer). */
export function useMyFarm({ enabled = true }: { enabled?: boolean } = {}) {
  const session = useSession();
  return useQuery({
    queryKey: ["my-farm", session.user?.id],
    queryFn: async ({ signal }): Promise<Farm | null> => {
      try {
        return await session.request<Farm>("/api/farmer/farm", { signal });
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
    enabled: enabled && session.user !== undefined,
  });
}

/** Creates the farm (no slug yet) or changes it. */
export function useSaveFarm(slug: string | undefined) {
  const session = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fields: { name: string; region: string; description: string; payoutWallet: string | null }) =>
      slug === undefined
        ? session.request<Farm>("/api/farms", { method: "POST", body: fields })
        : session.request<Farm>(`/api/farms/${slug}`, { method: "PATCH", body: fields }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["my-farm"] }),
  });
}

/** Every product of the farm, whatever its status (the API lists drafts and archived ones to their owner only). */
export function useFarmProducts(slug: string | undefined) {
  const session = useSession();
  return useQuery({
    queryKey: ["my-products", slug],
    queryFn: async ({ signal }) => {
      const pages = await Promise.all(
        (["active", "draft", "archived"] as const).map((status) =>
          session.request<ProductPage>(`/api/products?farm=${slug}&status=${status}&limit=100`, { signal }),
        ),
      );
      return pages.flatMap((page) => page.products);
    },
    enabled: slug !== undefined,
  });
}

/** The stock of each of the farm's products (on hand, available, what open orders hold), by product id. */
export function useFarmStock(slug: string | undefined) {
  const session = useSession();
  return useQuery({
    queryKey: ["my-products", slug, "stock"],
    queryFn: async ({ signal }) => {
      const { products } = await session.request<FarmStock>("/api/farmer/stock", { signal });
      return new Map(products.map((levels) => [levels.productId, levels]));
    },
    enabled: slug !== undefined,
  });
}

export type ProductFields = Required<
  Pick<z.input<typeof createProductBody>, "name" | "description" | "category" | "unit" | "priceMinor">
>;

/**
 * Creates a product, changes one, corrects its stock (a count of what is on hand), or adds a photo; each refetches the
 * farm's products and their stock.
 */
export function useProductActions() {
  const session = useSession();
  const queryClient = useQueryClient();
  const refetch = () => queryClient.invalidateQueries({ queryKey: ["my-products"] });
  return {
    create: useMutation({
      mutationFn: (fields: ProductFields & { stock: number; status: "draft" | "active" }) =>
        session.request<Product>("/api/products", { method: "POST", body: fields }),
      onSuccess: refetch,
    }),
    update: useMutation({
      mutationFn: ({ id, ...patch }: Partial<ProductFields> & { id: string; status?: Product["status"] }) =>
        session.request<Product>(`/api/products/${id}`, { method: "PATCH", body: patch }),
      onSuccess: refetch,
    }),
    setStock: useMutation({
      mutationFn: ({ id, stock, note }: { id: string; stock: number; note: string }) =>
        session.request(`/api/products/${id}/stock`, { method: "POST", body: { reason: "correction", stock, note } }),
      onSuccess: refetch,
    }),
    addPhoto: useMutation({
      mutationFn: ({ id, file }: { id: string; file: File }) => {
        const form = new FormData();
        form.append("photo", file);
        return session.request(`/api/products/${id}/photos`, { method: "POST", body: form });
      },
      onSuccess: refetch,
    }),
  };
}
