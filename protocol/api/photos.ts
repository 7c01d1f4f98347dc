import { z } from "zod";

import { productPhotoResponse } from "./products.js";

export const productPhotoParams = z.object({ id: z.uuid(), photoId: z.uuid() });

export const reorderPhotosBody = z.strictObject({
  /** Every photo of the product, in the new order; the first becomes the cover. */
  photoIds: z.array(z.uuid()).min(1).max(50),
});

export const productPhotoListResponse = z.object({ photos: z.array(productPhotoResponse) });
