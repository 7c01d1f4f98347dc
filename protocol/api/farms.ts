import { isAddress } from "viem";
import { z } from "zod";

/** A checksummed (EIP-55) or all-lower-case address; stored lower-case. A mistyped checksum is refused. */
const evmAddress = z
  .string()
  .refine((value) => isAddress(value, { strict: true }), {
    error: "expected an EVM address, checksummed or all lower-case",
  })
  .transform((value) => value.toLowerCase());

export const farmSlug = z
  .string()
  .max(80)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: "expected a farm slug" });

export const farmSlugParams = z.object({ slug: farmSlug });

const farmFields = {
  name: z.string().trim().min(1).max(120),
  region: z.string().trim().min(1).max(80),
  description: z.string().trim().max(5_000),
  payoutWallet: evmAddress.nullable(),
};

export const createFarmBody = z.strictObject({
  name: farmFields.name,
  region: farmFields.region,
  description: farmFields.description.optional(),
  payoutWallet: farmFields.payoutWallet.optional(),
});

export const updateFarmBody = z
  .strictObject({
    name: farmFields.name.optional(),
    region: farmFields.region.optional(),
    description: farmFields.description.optional(),
    payoutWallet: farmFields.payoutWallet.optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    error: "expected at least one field to change",
  });

export const photoUrlsResponse = z.object({ thumbnailUrl: z.string(), displayUrl: z.string() });

export const farmResponse = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  region: z.string(),
  description: z.string(),
  payoutWallet: z.string().nullable(),
  photo: photoUrlsResponse.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const farmDetailResponse = farmResponse.extend({ activeProductsCount: z.number().int().nonnegative() });

export const listFarmsQuery = z.object({
  region: z.string().trim().min(1).max(80).optional(),
  /** The `nextCursor` of the previous page. */
  cursor: farmSlug.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const farmListResponse = z.object({ farms: z.array(farmResponse), nextCursor: z.string().nullable() });

export type PhotoUrls = z.infer<typeof photoUrlsResponse>;
export type Farm = z.infer<typeof farmResponse>;
export type FarmDetail = z.infer<typeof farmDetailResponse>;
export type FarmPage = z.infer<typeof farmListResponse>;
