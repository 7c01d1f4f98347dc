import type { CatalogCache } from "../../catalog/catalog-cache.js";
import type { FarmService } from "../../catalog/farm-service.js";
import { toFarmView } from "../../catalog/farm-view.js";
import { defineRoute } from "../../http/define-route.js";
import { readUploadedFile } from "../../photos/read-uploaded-file.js";
import type { UploadLimits } from "../../photos/read-uploaded-file.js";
import {
  createFarmBody,
  farmDetailResponse,
  farmListResponse,
  farmResponse,
  farmSlugParams,
  listFarmsQuery,
  updateFarmBody,
} from "../../../../protocol/api/farms.js";

/** Farm profiles: public reads; creation and changes by farmers, each on their own farm only. */
export function createFarmRoutes({
  farms,
  catalogCache,
  photoBaseUrl,
  uploadLimits,
}: {
  farms: FarmService;
  catalogCache: CatalogCache;
  photoBaseUrl: string;
  uploadLimits: UploadLimits;
}) {
  return [
    defineRoute({
      method: "get",
      path: "/api/farms",
      auth: "public",
      summary: "List farms in slug order, optionally of one region",
      tags: ["farms"],
      request: { query: listFarmsQuery },
      responses: { 200: farmListResponse },
    }).handle(async (input) => {
      const { query } = input;
      const body = await catalogCache.read(`farms:${JSON.stringify(query)}`, async () => {
        const page = await farms.list(input.em, { region: query.region, after: query.cursor, limit: query.limit });
        return { farms: page.farms.map((farm) => toFarmView(farm, photoBaseUrl)), nextCursor: page.next };
      });
      return { status: 200, body };
    }),

    defineRoute({
      method: "get",
      path: "/api/farms/:slug",
      auth: "public",
      summary: "A farm's profile with the number of its products on sale",
      tags: ["farms"],
      request: { params: farmSlugParams },
      responses: { 200: farmDetailResponse },
    }).handle(async ({ params, em }) => {
      const { farm, activeProducts } = await farms.get(em, params.slug);
      return { status: 200, body: { ...toFarmView(farm, photoBaseUrl), activeProductsCount: activeProducts } };
    }),

    defineRoute({
      method: "get",
      path: "/api/farmer/farm",
      auth: ["farmer"],
      summary: "The caller's own farm, for the farm dashboard",
      description: "404 until the farmer has created their farm (POST /api/farms).",
      tags: ["farms"],
      responses: { 200: farmResponse },
    }).handle(async ({ user, em }) => ({
      status: 200,
      body: toFarmView(await farms.mine(em, user), photoBaseUrl),
      headers: { "Cache-Control": "no-store" },
    })),

    defineRoute({
      method: "post",
      path: "/api/farms",
      auth: ["farmer"],
      summary: "Create the caller's farm (one per farmer); the slug is derived from the name",
      description: "409 when the caller already has a farm.",
      tags: ["farms"],
      request: { body: createFarmBody },
      responses: { 201: farmResponse },
    }).handle(async ({ body, user, em }) => {
      const farm = await farms.create(em, user, body);
      return { status: 201, body: toFarmView(farm, photoBaseUrl) };
    }),

    defineRoute({
      method: "patch",
      path: "/api/farms/:slug",
      auth: ["farmer"],
      summary: "Change the caller's farm: name, region, description, payout wallet",
      description: "The slug never changes. 403 for another farmer's farm.",
      tags: ["farms"],
      request: { params: farmSlugParams, body: updateFarmBody },
      responses: { 200: farmResponse },
    }).handle(async ({ params, body, user, em }) => {
      const farm = await farms.update(em, user, params.slug, body);
      return { status: 200, body: toFarmView(farm, photoBaseUrl) };
    }),

    defineRoute({
      method: "put",
      path: "/api/farms/:slug/photo",
      auth: ["farmer"],
      summary: "Replace the farm's photo",
      description:
        "A multipart/form-data upload with the image in field `photo`: JPEG, PNG or WebP (checked by content, " +
        "415 otherwise), at most PHOTO_MAX_SIZE (413), decodable (422). Stored re-encoded as WebP.",
      tags: ["farms"],
      request: { params: farmSlugParams },
      responses: { 200: farmResponse },
    }).handle(async ({ params, user, em, ctx }) => {
      const farm = await farms.findOwnFarm(em, user, params.slug);
      const upload = await readUploadedFile(ctx.req, ctx.headers, "photo", uploadLimits);
      return { status: 200, body: toFarmView(await farms.setPhoto(em, farm, upload), photoBaseUrl) };
    }),
  ];
}
