import type { CatalogCache } from "../../catalog/catalog-cache.js";
import type { FarmService } from "../../catalog/farm-service.js";
import type { ProductService } from "../../catalog/product-service.js";
import { toProductSummaryView, toProductView } from "../../catalog/product-view.js";
import { searchProducts } from "../../catalog/search-products.js";
import type { StockChange } from "../../entities/StockChange.js";
import { ForbiddenError, NotFoundError } from "../../errors.js";
import { defineRoute } from "../../http/define-route.js";
import {
  adjustStockBody,
  adjustStockResponse,
  createProductBody,
  farmStockResponse,
  listProductsQuery,
  productIdParams,
  productListResponse,
  productResponse,
  stockHistoryQuery,
  stockHistoryResponse,
  stockLevelsResponse,
  updateProductBody,
} from "../../../../protocol/api/products.js";

/** The catalog: public listing, search and product pages; farmers manage their own farm's products and stock. */
export function createProductRoutes({
  products,
  farms,
  catalogCache,
  photoBaseUrl,
}: {
  products: ProductService;
  farms: FarmService;
  catalogCache: CatalogCache;
  photoBaseUrl: string;
}) {
  return [
    defineRoute({
      method: "get",
      path: "/api/products",
      auth: "public",
      summary: "List and search products on sale",
      description:
        "Full-text search with `q` (web-search syntax, English stemming), filters, sorts and cursor pagination: pass " +
        "`nextCursor` back as `cursor` with the same query. A farm's owner may list its drafts or archived products " +
        "with `farm` and `status`.",
      tags: ["products"],
      request: { query: listProductsQuery },
      responses: { 200: productListResponse },
    }).handle(async (input) => {
      const { query, user } = input;
      const { status, ...search } = query;
      const load = async () => {
        const page = await searchProducts(input.em, { ...search, statuses: [status] });
        return {
          products: page.products.map((row) => toProductSummaryView(row, photoBaseUrl)),
          nextCursor: page.nextCursor,
        };
      };
      if (status !== "active") {
        if (user === undefined || !user.roles.includes("farmer")) {
          throw new ForbiddenError("Only the farm's owner sees its drafts and archived products");
        }
        // `farm` is required by the schema whenever status is not active.
        await farms.findOwnFarm(input.em, user, search.farm ?? "");
        return { status: 200, body: await load() };
      }
      return {
        status: 200,
        body: await catalogCache.readChecked(`products:${normalizedKey(search)}`, productListResponse, load),
        shared: true,
      };
    }),

    defineRoute({
      method: "get",
      path: "/api/products/:id",
      auth: "public",
      summary: "A product page: product, price, stock, farm and photos",
      description: "Drafts and archived products are visible to their farm's owner only (404 for everyone else).",
      tags: ["products"],
      request: { params: productIdParams },
      responses: { 200: productResponse },
    }).handle(async (input) => {
      const { params, user } = input;
      // A product on sale looks the same to everyone, so its page is cached with the lists; a draft or archived one
      // (which only its owner may see) is read afresh each time.
      const loadOnSale = async () => {
        const { product, farm, photos } = await products.get(input.em, undefined, params.id);
        return toProductView(product, farm, photos, photoBaseUrl);
      };
      try {
        return {
          status: 200,
          body: await catalogCache.readChecked(`product:${params.id}`, productResponse, loadOnSale),
          shared: true,
        };
      } catch (error) {
        if (!(error instanceof NotFoundError) || user === undefined) throw error;
      }
      const { product, farm, photos } = await products.get(input.em, user, params.id);
      return { status: 200, body: toProductView(product, farm, photos, photoBaseUrl) };
    }),

    defineRoute({
      method: "post",
      path: "/api/products",
      auth: ["farmer"],
      summary: "List a new product on the caller's farm",
      description: "Price in integer minor units of the shop currency. 409 when the caller has no farm yet.",
      tags: ["products"],
      request: { body: createProductBody },
      responses: { 201: productResponse },
    }).handle(async ({ body, user, em }) => {
      const { product, farm, photos } = await products.create(em, user, body);
      return { status: 201, body: toProductView(product, farm, photos, photoBaseUrl) };
    }),

    defineRoute({
      method: "patch",
      path: "/api/products/:id",
      auth: ["farmer"],
      summary: "Change, publish or archive one of the caller's products",
      description: "403 for another farm's product, 404 for an unknown one. Stock changes go to /stock.",
      tags: ["products"],
      request: { params: productIdParams, body: updateProductBody },
      responses: { 200: productResponse },
    }).handle(async ({ params, body, user, em }) => {
      const { product, farm, photos } = await products.update(em, user, params.id, body);
      return { status: 200, body: toProductView(product, farm, photos, photoBaseUrl) };
    }),

    defineRoute({
      method: "post",
      path: "/api/products/:id/stock",
      auth: ["farmer"],
      summary: "Restock or correct the stock of one of the caller's products",
      description:
        "A restock adds to what is on hand. A correction states what is on hand (`stock`), counting the units unpaid " +
        "reservations hold and those sold but not shipped: what is available is that count less those units. A " +
        "count below them is taken as the truth: nothing is available, and the difference is the shortfall, which " +
        "the units of reservations that end (and later restocks) make up before any goes back on sale. Recorded in " +
        "the product's stock history (the change of what is available) with the caller, the reason and the note.",
      tags: ["products"],
      request: { params: productIdParams, body: adjustStockBody },
      responses: { 200: adjustStockResponse },
    }).handle(async ({ params, body, user, em }) => {
      const { product, change, levels } = await products.adjustStock(em, user, params.id, body);
      return { status: 200, body: { stock: product.stock, change: toStockChangeView(change), levels } };
    }),

    defineRoute({
      method: "get",
      path: "/api/products/:id/stock",
      auth: ["farmer"],
      summary: "One of the caller's products' stock: on hand, available, held, awaiting shipment, shortfall",
      tags: ["products"],
      request: { params: productIdParams },
      responses: { 200: stockLevelsResponse },
    }).handle(async ({ params, user, em }) => ({
      status: 200,
      body: await products.stockLevels(em, user, params.id),
      headers: { "Cache-Control": "private, no-store" },
    })),

    defineRoute({
      method: "get",
      path: "/api/farmer/stock",
      auth: ["farmer"],
      summary: "The stock of every product of the caller's farm, oldest product first",
      description: "404 when the caller has no farm yet.",
      tags: ["products"],
      responses: { 200: farmStockResponse },
    }).handle(async ({ user, em }) => ({
      status: 200,
      body: { products: await products.farmStockLevels(em, user) },
      headers: { "Cache-Control": "private, no-store" },
    })),

    defineRoute({
      method: "get",
      path: "/api/products/:id/stock-history",
      auth: ["farmer"],
      summary: "Every stock change of one of the caller's products, newest first",
      tags: ["products"],
      request: { params: productIdParams, query: stockHistoryQuery },
      responses: { 200: stockHistoryResponse },
    }).handle(async ({ params, query, user, em }) => {
      const page = await products.stockHistory(em, user, params.id, query);
      return { status: 200, body: { changes: page.changes.map(toStockChangeView), nextBefore: page.next } };
    }),
  ];
}

function toStockChangeView(change: StockChange) {
  return {
    id: change.id,
    delta: change.delta,
    stockAfter: change.stockAfter,
    reason: change.reason,
    note: change.note ?? null,
    actorId: change.actor?.id ?? null,
    createdAt: change.createdAt.toISOString(),
  };
}

/** The same listing asked two ways (keys in another order, absent vs. default values) shares one cache entry. */
function normalizedKey(search: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(search)
      .sort()
      .filter((key) => search[key] !== undefined && search[key] !== "")
      .map((key) => [key, search[key]]),
  );
}
