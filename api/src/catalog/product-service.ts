import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import type { AuthUser } from "../auth/access-tokens.js";
import { findActiveUser } from "../auth/find-active-user.js";
import type { ProductCategory, ProductStatus, ProductUnit } from "../../../protocol/vocabulary/catalog-vocabulary.js";
import { Farm } from "../entities/Farm.js";
import { Product } from "../entities/Product.js";
import { ProductPhoto } from "../entities/ProductPhoto.js";
import { StockChange } from "../entities/StockChange.js";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.js";
import type { CatalogCache } from "./catalog-cache.js";
import {
  addUnits,
  countedStock,
  effectiveShortfall,
  openOrderUnits,
  readStockLevels,
  stockLevels,
} from "./stock-levels.js";
import type { StockLevels } from "./stock-levels.js";

export interface ProductInput {
  name: string;
  description: string;
  category: ProductCategory;
  unit: ProductUnit;
  priceMinor: number;
  stock: number;
  status: ProductStatus;
}

export type ProductPatch = Partial<Omit<ProductInput, "stock">>;

/**
 * A farmer's own change of stock: goods arrived (`restock`), or a count of what is really on hand (`correction`),
 * units held by unpaid reservations and sold but unshipped ones included.
 */
export type StockAdjustment =
  { reason: "restock"; quantity: number; note?: string } | { reason: "correction"; stock: number; note?: string };

/** A product with its farm and photos, as the product page shows it. */
export interface LoadedProduct {
  product: Product;
  farm: Farm;
  photos: ProductPhoto[];
}

/** Products of farms: created, changed and restocked by the farm's owner only; stock changes always leave history. */
export function createProductService({ catalogCache, currency }: { catalogCache: CatalogCache; currency: string }) {
  /** The product if `actor` owns its farm: 404 when there is no such product, 403 when it is another farmer's. */
  async function findOwnProduct(
    em: EntityManager,
    actor: AuthUser,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<{ product: Product; farm: Farm }> {
    const product = await em.findOne(
      Product,
      { id },
      options.lock === true ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
    );
    if (product === null) throw new NotFoundError(`No product ${id}`);
    const farm = await em.findOneOrFail(Farm, { id: product.farm.id });
    if (farm.owner.id !== actor.id) throw new ForbiddenError("This product belongs to another farm");
    return { product, farm };
  }

  async function load(em: EntityManager, product: Product, farm: Farm): Promise<LoadedProduct> {
    const photos = await em.find(ProductPhoto, { product }, { orderBy: { position: "asc", id: "asc" } });
    return { product, farm, photos };
  }

  return {
    findOwnProduct,

    /** Lists a new product on the caller's farm, recording its opening stock as the first stock change. */
    async create(em: EntityManager, actor: AuthUser, input: ProductInput): Promise<LoadedProduct> {
      const owner = await findActiveUser(em, actor.id);
      const farm = await em.findOne(Farm, { owner });
      if (farm === null) throw new ConflictError("Create your farm before listing products");
      // One flush is one transaction: the product and its first stock change commit together.
      const product = em.create(Product, { ...input, farm, currency });
      em.create(StockChange, { product, delta: input.stock, stockAfter: input.stock, reason: "created", actor: owner });
      await em.flush();
      await catalogCache.invalidate();
      return { product, farm, photos: [] };
    },

    /** Changes what the owner may change directly; stock only moves through `adjustStock`. */
    async update(em: EntityManager, actor: AuthUser, id: string, patch: ProductPatch): Promise<LoadedProduct> {
      const { product, farm } = await findOwnProduct(em, actor, id);
      em.assign(product, Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)));
      await em.flush();
      await catalogCache.invalidate();
      return load(em, product, farm);
    },

    /**
     * Restocks or corrects a product's stock. A restock adds to what is on hand (making up any shortfall first); a
     * correction states what is on hand, and what is available is that less what open orders hold (see
     * stock-levels.ts). Invariant: the stock and its StockChange row commit together, under the product's row lock,
     * which every reservation and release also takes, so what open orders hold is read exactly and concurrent
     * changes never lose one another. The StockChange records the change of what is available.
     */
    async adjustStock(
      em: EntityManager,
      actor: AuthUser,
      id: string,
      adjustment: StockAdjustment,
    ): Promise<{ product: Product; change: StockChange; levels: StockLevels }> {
      const result = await em.transactional(async (tx) => {
        const { product } = await findOwnProduct(tx, actor, id, { lock: true });
        const units = (await openOrderUnits(tx, [product.id])).get(product.id)!;
        const after =
          adjustment.reason === "restock"
            ? addUnits(
                { stock: product.stock, shortfall: effectiveShortfall(product.stockShortfall, units) },
                adjustment.quantity,
              )
            : countedStock(adjustment.stock, units);
        const change = tx.create(StockChange, {
          product,
          delta: after.stock - product.stock,
          stockAfter: after.stock,
          reason: adjustment.reason,
          note: adjustment.note ?? null,
          actor: await findActiveUser(tx, actor.id),
        });
        product.stock = after.stock;
        product.stockShortfall = after.shortfall;
        return { product, change, levels: stockLevels(product, units) };
      });
      await catalogCache.invalidate();
      return result;
    },

    /** The owner's view of a product's stock: on hand, available, and what open orders hold. */
    async stockLevels(em: EntityManager, actor: AuthUser, id: string): Promise<StockLevels> {
      const { product } = await findOwnProduct(em, actor, id);
      const [levels] = await readStockLevels(em, { productId: product.id });
      return levels;
    },

    /** The same for every product of the caller's farm, whatever its status, oldest first; 404 without a farm. */
    async farmStockLevels(em: EntityManager, actor: AuthUser): Promise<StockLevels[]> {
      const farm = await em.findOne(Farm, { owner: actor.id });
      if (farm === null) throw new NotFoundError("You have no farm yet");
      return readStockLevels(em, { farmId: farm.id });
    },

    /** The product page: active products for everyone; drafts and archived ones only for their owner. */
    async get(em: EntityManager, viewer: AuthUser | undefined, id: string): Promise<LoadedProduct> {
      const product = await em.findOne(Product, { id }, { populate: ["farm"] });
      if (product === null) throw new NotFoundError(`No product ${id}`);
      const farm = product.farm;
      if (product.status !== "active" && farm.owner.id !== viewer?.id) throw new NotFoundError(`No product ${id}`);
      return load(em, product, farm);
    },

    /** The owner's view of every stock change of a product, newest first, a page at a time (`before` an id). */
    async stockHistory(
      em: EntityManager,
      actor: AuthUser,
      id: string,
      page: { before?: number; limit: number },
    ): Promise<{ changes: StockChange[]; next: number | null }> {
      const { product } = await findOwnProduct(em, actor, id);
      const changes = await em.find(
        StockChange,
        { product, ...(page.before === undefined ? {} : { id: { $lt: page.before } }) },
        { orderBy: { id: "desc" }, limit: page.limit + 1 },
      );
      const shown = changes.slice(0, page.limit);
      return { changes: shown, next: changes.length > page.limit ? shown[shown.length - 1].id : null };
    },
  };
}

export type ProductService = ReturnType<typeof createProductService>;
