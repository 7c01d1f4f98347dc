import type { Farm } from "../entities/Farm.js";
import { photoUrls } from "../photos/photo-urls.js";
import type { PhotoUrls } from "../photos/photo-urls.js";

/** A farm as the API shows it (JSON-ready: dates as ISO strings). */
export interface FarmView {
  id: string;
  slug: string;
  name: string;
  region: string;
  description: string;
  payoutWallet: string | null;
  photo: PhotoUrls | null;
  createdAt: string;
  updatedAt: string;
}

export function toFarmView(farm: Farm, photoBaseUrl: string): FarmView {
  return {
    id: farm.id,
    slug: farm.slug,
    name: farm.name,
    region: farm.region,
    description: farm.description,
    payoutWallet: farm.payoutWallet ?? null,
    photo: farm.photoKey == null ? null : photoUrls(photoBaseUrl, farm.photoKey),
    createdAt: farm.createdAt.toISOString(),
    updatedAt: farm.updatedAt.toISOString(),
  };
}
