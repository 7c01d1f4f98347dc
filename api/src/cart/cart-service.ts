import { randomUUID } from "node:crypto";

import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import { MAX_LINE_QUANTITY } from "../../../protocol/api/cart.js";
import { readPlatformFee } from "../checkout/read-platform-fee.js";
import type { PlatformFee } from "../checkout/read-platform-fee.js";
import { Cart } from "../entities/Cart.js";
import { CartItem } from "../entities/CartItem.js";
import { Product } from "../entities/Product.js";
import { NotFoundError, UnauthorizedError } from "../errors.js";
import { buildCartView, cartCurrency } from "./build-cart-view.js";
import type { CartLineState, CartView } from "./build-cart-view.js";
import {
  CartCurrencyMismatchError,
  CartFullError,
  InsufficientStockError,
  ProductNotOnSaleError,
} from "./cart-errors.js";
import { createCartToken, hashCartToken } from "./cart-token.js";

/** Different products a cart may hold. With MAX_LINE_QUANTITY it bounds every total well inside exact integers. */
export const MAX_CART_LINES = 100;

/** Whose cart: a signed-in user's, or the anonymous one the token (if any) names. */
export type CartOwner = { userId: string } | { token: string | undefined };

/** What became of one anonymous line when it was merged into the user's cart. */
export interface MergedLine {
  productId: string;
  anonymousQuantity: number;
  quantityBefore: number;
  quantityAfter: number;
  /** `capped`: the sum exceeded the stock (or the line limit), so the line holds what there is. */
  outcome: "added" | "capped" | "not_on_sale" | "currency_mismatch" | "cart_full";
}

export interface MergeReport {
  /** False when the token names no anonymous cart, for instance because it was merged already. */
  anonymousCartFound: boolean;
  lines: MergedLine[];
}

export interface CartService {
  view(em: EntityManager, owner: CartOwner): Promise<CartView>;
  /** Sets a line's quantity, creating the cart (and, for an anonymous caller, its token) when needed. */
  setQuantity(
    em: EntityManager,
    owner: CartOwner,
    productId: string,
    quantity: number,
  ): Promise<{ view: CartView; issuedToken?: string }>;
  removeItem(em: EntityManager, owner: CartOwner, productId: string): Promise<CartView>;
  clear(em: EntityManager, owner: CartOwner): Promise<void>;
  /** Moves the anonymous cart's lines into the user's cart and deletes the anonymous cart. */
  merge(em: EntityManager, userId: string, token: string): Promise<{ view: CartView; merge: MergeReport }>;
}

/**
 * Carts and their lines. Every change runs in a transaction holding the cart's row lock, so concurrent requests on
 * one cart apply one after another. Nothing is reserved: stock is checked against the product as it is now.
 */
export function createCartService({ chainId }: { chainId: number }): CartService {
  function ownerFilter(owner: CartOwner) {
    if ("userId" in owner) return { user: owner.userId };
    return owner.token === undefined ? undefined : { tokenHash: hashCartToken(owner.token), user: null };
  }

  async function findCart(em: EntityManager, owner: CartOwner, lock: boolean): Promise<Cart | null> {
    const where = ownerFilter(owner);
    if (where === undefined) return null;
    return em.findOne(Cart, where, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  }

  /**
   * The user's cart, created if missing, locked until the transaction ends. One statement: the upsert's DO UPDATE
   * takes the row lock (as SELECT … FOR UPDATE would) and stamps the change, so two first requests of one user
   * cannot both create a cart, and a deleted account gets none.
   */
  async function lockUserCart(tx: EntityManager, userId: string): Promise<Cart> {
    const rows = await tx.execute<{ id: string }[]>(
      `INSERT INTO carts (id, user_id) SELECT ?, u.id FROM users u WHERE u.id = ? AND u.deleted_at IS NULL
        ON CONFLICT (user_id) DO UPDATE SET updated_at = now() RETURNING id`,
      [randomUUID(), userId],
    );
    if (rows.length === 0) throw new UnauthorizedError("The signed-in account no longer exists");
    return tx.getReference(Cart, rows[0].id);
  }

  async function loadItems(em: EntityManager, cart: Cart): Promise<CartItem[]> {
    return em.find(CartItem, { cart }, { populate: ["product.farm"], orderBy: [{ addedAt: "asc" }, { id: "asc" }] });
  }

  /** `fee` is read outside any transaction: a failed read (no indexer schema) would abort the transaction. */
  async function buildView(em: EntityManager, cart: Cart | null, fee: PlatformFee): Promise<CartView> {
    return viewOf(cart === null ? [] : await loadItems(em, cart), fee);
  }

  /** The view of lines already loaded (with their products and farms), in the order the lines were added. */
  function viewOf(items: readonly CartItem[], fee: PlatformFee): CartView {
    const lines = items.map(({ product, quantity, addedAt }): CartLineState => ({
      productId: product.id,
      name: product.name,
      unit: product.unit,
      currency: product.currency,
      priceMinor: product.priceMinor,
      stock: product.stock,
      status: product.status,
      quantity,
      addedAt,
      farm: { id: product.farm.id, name: product.farm.name, slug: product.farm.slug },
    }));
    return buildCartView(lines, fee);
  }

  return {
    async view(em, owner) {
      return buildView(em, await findCart(em, owner, false), await readPlatformFee(em, chainId));
    },

    async setQuantity(em, owner, productId, quantity) {
      const fee = await readPlatformFee(em, chainId);
      return em.transactional(async (tx) => {
        let cart = "userId" in owner ? await lockUserCart(tx, owner.userId) : await findCart(tx, owner, true);
        let issuedToken: string | undefined;
        if (cart === null) {
          issuedToken = createCartToken();
          cart = tx.create(Cart, { user: null, tokenHash: hashCartToken(issuedToken) });
        } else if (!("userId" in owner)) {
          cart.updatedAt = new Date();
        }
        const product = await tx.findOne(Product, { id: productId }, { populate: ["farm"] });
        if (product === null) throw new NotFoundError("No product has this id");
        if (product.status !== "active") throw new ProductNotOnSaleError(product.id, product.status);
        if (quantity > product.stock) throw new InsufficientStockError(product.id, quantity, product.stock);

        const items = issuedToken === undefined ? await loadItems(tx, cart) : [];
        const existing = items.find((item) => item.product.id === product.id);
        const currency = cartCurrency(items.filter((item) => item !== existing).map((item) => item.product));
        if (currency !== null && currency !== product.currency) {
          throw new CartCurrencyMismatchError(product.id, product.currency, currency);
        }
        if (existing === undefined) {
          if (items.length >= MAX_CART_LINES) throw new CartFullError(MAX_CART_LINES);
          items.push(tx.create(CartItem, { cart, product, quantity }));
        } else {
          existing.quantity = quantity;
        }
        await tx.flush();
        // The lines just loaded and changed under the cart's lock are what a reload would return.
        return { view: viewOf(items, fee), issuedToken };
      });
    },

    async removeItem(em, owner, productId) {
      const fee = await readPlatformFee(em, chainId);
      return em.transactional(async (tx) => {
        const cart = await findCart(tx, owner, true);
        const removed = cart === null ? 0 : await tx.nativeDelete(CartItem, { cart, product: productId });
        if (cart === null || removed === 0) throw new NotFoundError("This product is not in your cart");
        cart.updatedAt = new Date();
        await tx.flush();
        return buildView(tx, cart, fee);
      });
    },

    async clear(em, owner) {
      const where = ownerFilter(owner);
      if (where !== undefined) await em.nativeDelete(Cart, where);
    },

    async merge(em, userId, token) {
      const fee = await readPlatformFee(em, chainId);
      return em.transactional(async (tx) => {
        const target = await lockUserCart(tx, userId);
        const source = await findCart(tx, { token }, true);
        const report: MergeReport = { anonymousCartFound: source !== null, lines: [] };
        if (source === null) return { view: await buildView(tx, target, fee), merge: report };

        const targetItems = await loadItems(tx, target);
        const byProduct = new Map(targetItems.map((item) => [item.product.id, item]));
        // The currency rule of setQuantity applies line by line, in the order the lines were added anonymously.
        const targetProducts = targetItems.map((item) => item.product);
        for (const item of await loadItems(tx, source)) {
          const { product } = item;
          const existing = byProduct.get(product.id);
          const quantityBefore = existing?.quantity ?? 0;
          const line = { productId: product.id, anonymousQuantity: item.quantity, quantityBefore };
          const currency = cartCurrency(targetProducts);
          if (product.status !== "active") {
            report.lines.push({ ...line, quantityAfter: quantityBefore, outcome: "not_on_sale" });
            continue;
          }
          if (currency !== null && currency !== product.currency) {
            report.lines.push({ ...line, quantityAfter: quantityBefore, outcome: "currency_mismatch" });
            continue;
          }
          if (existing === undefined && byProduct.size >= MAX_CART_LINES) {
            report.lines.push({ ...line, quantityAfter: 0, outcome: "cart_full" });
            continue;
          }
          const wanted = quantityBefore + item.quantity;
          // Capped at the stock, but a quantity the user already chose is never lowered here.
          const quantityAfter = Math.max(quantityBefore, Math.min(wanted, product.stock, MAX_LINE_QUANTITY));
          report.lines.push({ ...line, quantityAfter, outcome: quantityAfter < wanted ? "capped" : "added" });
          if (existing !== undefined) {
            existing.quantity = quantityAfter;
          } else if (quantityAfter > 0) {
            const created = tx.create(CartItem, { cart: target, product, quantity: quantityAfter });
            byProduct.set(product.id, created);
            targetProducts.push(product);
          }
        }
        await tx.flush();
        await tx.nativeDelete(Cart, { id: source.id });
        return { view: await buildView(tx, target, fee), merge: report };
      });
    },
  };
}
