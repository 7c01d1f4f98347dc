import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import type { AuthUser } from "../auth/access-tokens.js";
import { findActiveUser } from "../auth/find-active-user.js";
import { Farm } from "../entities/Farm.js";
import { Product } from "../entities/Product.js";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.js";
import { newPhotoKey } from "../photos/new-photo-key.js";
import type { PhotoStore } from "../photos/photo-store.js";
import { processPhoto } from "../photos/process-photo.js";
import type { CatalogCache } from "./catalog-cache.js";
import { slugify } from "./slugify.js";

export interface FarmInput {
  name: string;
  region: string;
  description?: string;
  /** Lower-case EVM address, or null to clear it. */
  payoutWallet?: string | null;
}

export interface FarmListQuery {
  region?: string;
  /** Slug of the last farm of the previous page. */
  after?: string;
  limit: number;
}

/** Two farmers naming their farms alike at the same moment can both pick one slug; the loser retries this often. */
const SLUG_ATTEMPTS = 5;

/** Farm profiles: one per farmer, found by slug, changed only by their owner. */
export function createFarmService({
  catalogCache,
  photoStore,
}: {
  catalogCache: CatalogCache;
  photoStore: PhotoStore;
}) {
  async function findOwnFarm(em: EntityManager, actor: AuthUser, slug: string): Promise<Farm> {
    const farm = await em.findOne(Farm, { slug });
    if (farm === null) throw new NotFoundError(`No farm ${slug}`);
    if (farm.owner.id !== actor.id) throw new ForbiddenError("This farm belongs to another farmer");
    return farm;
  }

  return {
    findOwnFarm,

    /** Creates the caller's farm with a unique slug derived from its name; 409 if they already have one. */
    async create(em: EntityManager, actor: AuthUser, input: FarmInput): Promise<Farm> {
      for (let attempt = 1; ; attempt++) {
        const owner = await findActiveUser(em, actor.id);
        if ((await em.count(Farm, { owner })) > 0) throw new ConflictError("You already have a farm");
        const farm = em.create(Farm, {
          owner,
          name: input.name,
          slug: await freeSlug(em, slugify(input.name)),
          region: input.region,
          description: input.description ?? "",
          payoutWallet: input.payoutWallet ?? null,
        });
        try {
          await em.flush();
          await catalogCache.invalidate();
          return farm;
        } catch (error) {
          em.clear();
          if (!(error instanceof UniqueConstraintViolationException)) throw error;
          if (/farms_owner_id_unique/.test(error.message)) throw new ConflictError("You already have a farm");
          if (attempt >= SLUG_ATTEMPTS) throw error;
        }
      }
    },

    /** Changes the owner's farm. The slug stays as it was, so links to the farm keep working after a rename. */
    async update(em: EntityManager, actor: AuthUser, slug: string, patch: Partial<FarmInput>): Promise<Farm> {
      const farm = await findOwnFarm(em, actor, slug);
      em.assign(farm, Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)));
      await em.flush();
      await catalogCache.invalidate();
      return farm;
    },

    /** Replaces the farm's photo with the uploaded image, re-encoded; the previous photo's files are removed. */
    async setPhoto(em: EntityManager, farm: Farm, upload: Buffer): Promise<Farm> {
      const processed = await processPhoto(upload);
      const key = newPhotoKey();
      await photoStore.put(key, processed.renditions);
      const previous = farm.photoKey;
      farm.photoKey = key;
      try {
        await em.flush();
      } catch (error) {
        await photoStore.delete(key);
        throw error;
      }
      if (previous != null) await photoStore.delete(previous);
      await catalogCache.invalidate();
      return farm;
    },

    /** The caller's own farm (a farmer has at most one); 404 before they created it. */
    async mine(em: EntityManager, actor: AuthUser): Promise<Farm> {
      const farm = await em.findOne(Farm, { owner: actor.id });
      if (farm === null) throw new NotFoundError("You have no farm yet");
      return farm;
    },

    /** A farm with the number of its products on sale. */
    async get(em: EntityManager, slug: string): Promise<{ farm: Farm; activeProducts: number }> {
      const farm = await em.findOne(Farm, { slug });
      if (farm === null) throw new NotFoundError(`No farm ${slug}`);
      const activeProducts = await em.count(Product, { farm, status: "active" });
      return { farm, activeProducts };
    },

    /** Farms in slug order, a page at a time. */
    async list(em: EntityManager, query: FarmListQuery): Promise<{ farms: Farm[]; next: string | null }> {
      const farms = await em.find(
        Farm,
        {
          ...(query.region === undefined ? {} : { region: { $ilike: escapeLike(query.region) } }),
          ...(query.after === undefined ? {} : { slug: { $gt: query.after } }),
        },
        { orderBy: { slug: "asc" }, limit: query.limit + 1 },
      );
      const page = farms.slice(0, query.limit);
      return { farms: page, next: farms.length > query.limit ? page[page.length - 1].slug : null };
    },
  };
}

export type FarmService = ReturnType<typeof createFarmService>;

async function freeSlug(em: EntityManager, base: string): Promise<string> {
  const taken = new Set(
    (await em.find(Farm, { slug: { $like: `${base}%` } }, { fields: ["slug"] })).map((farm) => farm.slug),
  );
  if (!taken.has(base)) return base;
  for (let suffix = 2; ; suffix++) if (!taken.has(`${base}-${suffix}`)) return `${base}-${suffix}`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}
