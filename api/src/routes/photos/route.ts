import type { Router } from "@koa/router";

import type { ProductPhotoService } from "../../catalog/product-photo-service.js";
import type { ProductService } from "../../catalog/product-service.js";
import { toProductPhotoView } from "../../catalog/product-view.js";
import type { ApiState } from "../../http/api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { PHOTO_KEY_PATTERN, PHOTO_SIZES } from "../../photos/photo-store.js";
import type { PhotoSize, PhotoStore } from "../../photos/photo-store.js";
import { readUploadedFile } from "../../photos/read-uploaded-file.js";
import type { UploadLimits } from "../../photos/read-uploaded-file.js";
import { productIdParams, productPhotoResponse } from "../../../../protocol/api/products.js";
import { productPhotoListResponse, productPhotoParams, reorderPhotosBody } from "../../../../protocol/api/photos.js";

export const PHOTO_FILE_PATH = "/api/photos/:key/:size.webp";

/** Photos of products, managed by the farm's owner. */
export function createPhotoRoutes({
  products,
  photos,
  photoBaseUrl,
  uploadLimits,
}: {
  products: ProductService;
  photos: ProductPhotoService;
  photoBaseUrl: string;
  uploadLimits: UploadLimits;
}) {
  return [
    defineRoute({
      method: "post",
      path: "/api/products/:id/photos",
      auth: ["farmer"],
      summary: "Add a photo to one of the caller's products",
      description:
        "A multipart/form-data upload with the image in field `photo`: JPEG, PNG or WebP (checked by content, " +
        "415 otherwise), at most PHOTO_MAX_SIZE (413), decodable (422). Stored as WebP in two sizes, orientation " +
        "applied and metadata removed; the new photo goes last.",
      tags: ["photos"],
      request: { params: productIdParams },
      responses: { 201: productPhotoResponse },
    }).handle(async ({ params, user, em, ctx }) => {
      // Ownership first, so nobody can make the server read and decode an upload for a product that is not theirs.
      const { product } = await products.findOwnProduct(em, user, params.id);
      const upload = await readUploadedFile(ctx.req, ctx.headers, "photo", uploadLimits);
      const photo = await photos.add(em, product, upload);
      return { status: 201, body: toProductPhotoView(photo, photoBaseUrl) };
    }),

    defineRoute({
      method: "put",
      path: "/api/products/:id/photos/order",
      auth: ["farmer"],
      summary: "Reorder the photos of one of the caller's products",
      tags: ["photos"],
      request: { params: productIdParams, body: reorderPhotosBody },
      responses: { 200: productPhotoListResponse },
    }).handle(async ({ params, body, user, em }) => {
      const { product } = await products.findOwnProduct(em, user, params.id);
      const ordered = await photos.reorder(em, product, body.photoIds);
      return { status: 200, body: { photos: ordered.map((photo) => toProductPhotoView(photo, photoBaseUrl)) } };
    }),

    defineRoute({
      method: "delete",
      path: "/api/products/:id/photos/:photoId",
      auth: ["farmer"],
      summary: "Delete a photo of one of the caller's products",
      tags: ["photos"],
      request: { params: productPhotoParams },
      responses: { 204: null },
    }).handle(async ({ params, user, em }) => {
      const { product } = await products.findOwnProduct(em, user, params.id);
      await photos.remove(em, product, params.photoId);
      return { status: 204, body: undefined };
    }),
  ];
}

/**
 * Serves stored renditions. A key is never reused for other bytes, so responses are cacheable forever; unknown keys
 * and sizes fall through to the API's 404.
 */
export function mountPhotoFileRoute(router: Router<ApiState>, photoStore: PhotoStore): void {
  router.get(PHOTO_FILE_PATH, async (ctx) => {
    ctx.state.routePattern = PHOTO_FILE_PATH;
    const { key, size } = ctx.params as { key: string; size: string };
    if (!PHOTO_KEY_PATTERN.test(key) || !(PHOTO_SIZES as readonly string[]).includes(size)) return;
    const bytes = await photoStore.get(key, size as PhotoSize);
    if (bytes === undefined) return;
    ctx.type = "image/webp";
    ctx.set("Cache-Control", "public, max-age=31536000, immutable");
    ctx.body = bytes;
  });
}
