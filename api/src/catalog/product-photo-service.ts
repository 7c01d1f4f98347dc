import type { EntityManager } from "@mikro-orm/postgresql";

import type { Product } from "../entities/Product.js";
import { ProductPhoto } from "../entities/ProductPhoto.js";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { newPhotoKey } from "../photos/new-photo-key.js";
import type { PhotoStore } from "../photos/photo-store.js";
import { processPhoto } from "../photos/process-photo.js";
import type { CatalogCache } from "./catalog-cache.js";

/** A product page with more photos than this is a gallery nobody scrolls; it also bounds storage per product. */
export const MAX_PHOTOS_PER_PRODUCT = 12;

/** Photos of a product: added (validated and re-encoded), reordered and removed. Callers check ownership first. */
export function createProductPhotoService({
  catalogCache,
  photoStore,
}: {
  catalogCache: CatalogCache;
  photoStore: PhotoStore;
}) {
  const photosOf = (em: EntityManager, product: Product) =>
    em.find(ProductPhoto, { product }, { orderBy: { position: "asc", id: "asc" } });

  return {
    photosOf,

    /** Re-encodes the upload, stores its renditions, and appends it after the product's other photos. */
    async add(em: EntityManager, product: Product, upload: Buffer): Promise<ProductPhoto> {
      const existing = await photosOf(em, product);
      if (existing.length >= MAX_PHOTOS_PER_PRODUCT) {
        throw new ConflictError(`A product has at most ${MAX_PHOTOS_PER_PRODUCT} photos`);
      }
      const processed = await processPhoto(upload);
      const key = newPhotoKey();
      await photoStore.put(key, processed.renditions);
      const photo = em.create(ProductPhoto, {
        product,
        key,
        position: (existing.at(-1)?.position ?? -1) + 1,
        width: processed.width,
        height: processed.height,
      });
      try {
        await em.flush();
      } catch (error) {
        await photoStore.delete(key);
        throw error;
      }
      await catalogCache.invalidate();
      return photo;
    },

    /** Puts the product's photos in the given order; the list must name each of its photos exactly once. */
    async reorder(em: EntityManager, product: Product, photoIds: readonly string[]): Promise<ProductPhoto[]> {
      const photos = await photosOf(em, product);
      const byId = new Map(photos.map((photo) => [photo.id, photo]));
      if (
        photoIds.length !== photos.length ||
        new Set(photoIds).size !== photoIds.length ||
        !photoIds.every((id) => byId.has(id))
      ) {
        throw new ValidationError("The request is invalid", [
          { path: "body.photoIds", message: "must list every photo of the product exactly once" },
        ]);
      }
      photoIds.forEach((id, position) => {
        byId.get(id)!.position = position;
      });
      await em.flush();
      await catalogCache.invalidate();
      return photoIds.map((id) => byId.get(id)!);
    },

    /** Deletes one photo and closes the gap in the order; its files go once the row is gone. */
    async remove(em: EntityManager, product: Product, photoId: string): Promise<void> {
      const photos = await photosOf(em, product);
      const photo = photos.find((candidate) => candidate.id === photoId);
      if (photo === undefined) throw new NotFoundError(`No photo ${photoId} on this product`);
      em.remove(photo);
      photos
        .filter((other) => other !== photo)
        .forEach((other, position) => {
          other.position = position;
        });
      await em.flush();
      await photoStore.delete(photo.key);
      await catalogCache.invalidate();
    },
  };
}

export type ProductPhotoService = ReturnType<typeof createProductPhotoService>;
