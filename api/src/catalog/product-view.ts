import type { z } from "zod";

import type { productPhotoResponse, productResponse } from "../../../protocol/api/products.js";
import type { Farm } from "../entities/Farm.js";
import type { Product } from "../entities/Product.js";
import type { ProductPhoto } from "../entities/ProductPhoto.js";
import { photoUrls } from "../photos/photo-urls.js";
import type { PhotoUrls } from "../photos/photo-urls.js";
import type { ProductListRow } from "./search-products.js";

/** A product in a listing (JSON-ready: dates as ISO strings), with its farm and cover photo. */
export type ProductSummaryView = Omit<ProductListRow, "coverKey"> & { cover: PhotoUrls | null };

export type ProductPhotoView = z.input<typeof productPhotoResponse>;

/** The product page: everything in the summary plus every photo in order. */
export type ProductView = z.input<typeof productResponse>;

export function toProductSummaryView(row: ProductListRow, photoBaseUrl: string): ProductSummaryView {
  const { coverKey, ...product } = row;
  return { ...product, cover: coverKey === null ? null : photoUrls(photoBaseUrl, coverKey) };
}

export function toProductPhotoView(photo: ProductPhoto, photoBaseUrl: string): ProductPhotoView {
  return {
    id: photo.id,
    position: photo.position,
    width: photo.width,
    height: photo.height,
    ...photoUrls(photoBaseUrl, photo.key),
  };
}

/** `photos` in display order; `farm` loaded. */
export function toProductView(
  product: Product,
  farm: Farm,
  photos: readonly ProductPhoto[],
  photoBaseUrl: string,
): ProductView {
  return {
    id: product.id,
    name: product.name,
    description: product.description,
    category: product.category,
    unit: product.unit,
    priceMinor: product.priceMinor,
    currency: product.currency,
    stock: product.stock,
    status: product.status,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
    farm: { id: farm.id, slug: farm.slug, name: farm.name, region: farm.region },
    cover: photos.length === 0 ? null : photoUrls(photoBaseUrl, photos[0].key),
    photos: photos.map((photo) => toProductPhotoView(photo, photoBaseUrl)),
  };
}
