import type { PhotoSize } from "./photo-store.js";

export type PhotoUrls = Record<`${PhotoSize}Url`, string>;

/** Public URLs of a stored photo's renditions under the configured base (this API's /api/photos, or a CDN). */
export function photoUrls(baseUrl: string, key: string): PhotoUrls {
  return { thumbnailUrl: `${baseUrl}/${key}/thumbnail.webp`, displayUrl: `${baseUrl}/${key}/display.webp` };
}
