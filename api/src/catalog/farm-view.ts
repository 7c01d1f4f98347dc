import type { z } from "zod";

import type { farmResponse } from "../../../protocol/api/farms.js";
import type { Farm } from "../entities/Farm.js";
import { photoUrls } from "../photos/photo-urls.js";

/** A farm as the API shows it (JSON-ready: dates as ISO strings). */
export type FarmView = z.input<typeof farmResponse>;

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
