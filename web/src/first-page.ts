import { readEarly } from "./api/early-reads";
import { formattersFor } from "./i18n/formatters";
import { initialLanguage } from "./i18n/language";
import { FIRST_READS, SHOP_CURRENCY } from "./shop/page-reads";

/** A page chunk's loader, which also tells without waiting whether the chunk has arrived. */
export interface PageChunk<T> {
  (): Promise<T>;
  /** The chunk's module once it has arrived: the page a visit starts on renders at once, without a loading state. */
  loaded(): T | undefined;
}

function pageChunk<T>(load: () => Promise<T>): PageChunk<T> {
  let module: T | undefined;
  const chunk = () =>
    load().then((loaded) => {
      module = loaded;
      return loaded;
    });
  return Object.assign(chunk, { loaded: () => module });
}

/** Each page's chunk: the router renders them lazily, and the page a visit starts on is fetched at once. */
export const pageChunks = {
  home: pageChunk(() => import("./shop/home-page")),
  shop: pageChunk(() => import("./shop/shop-page")),
  product: pageChunk(() => import("./shop/product-page")),
  farm: pageChunk(() => import("./shop/farm-page")),
  cart: pageChunk(() => import("./cart-checkout/cart-page")),
  signIn: pageChunk(() => import("./account/sign-in-page")),
  walletSignIn: pageChunk(() => import("./account/wallet-sign-in-page")),
  account: pageChunk(() => import("./account/account-page")),
  notFound: pageChunk(() => import("./components/not-found-page")),
  checkout: pageChunk(() => import("./cart-checkout/checkout-page")),
  checkoutDone: pageChunk(() => import("./cart-checkout/checkout-done-page")),
  orders: pageChunk(() => import("./orders/orders-page")),
  order: pageChunk(() => import("./orders/order-page")),
  farmer: pageChunk(() => import("./farmer/farmer-page")),
  admin: pageChunk(() => import("./admin/admin-page")),
  arbiter: pageChunk(() => import("./disputes/arbiter-page")),
  arbiterDispute: pageChunk(() => import("./disputes/arbiter-dispute-page")),
  notifications: pageChunk(() => import("./notifications/notifications-page")),
  governance: pageChunk(() => import("./governance/governance-routes")),
};

// By a path's first segment. The wallet sign-in page is left to its route: its sign-in form loads first.
const FIRST_SEGMENT: Readonly<Record<string, () => Promise<unknown>>> = {
  "": pageChunks.home,
  shop: pageChunks.shop,
  products: pageChunks.product,
  farms: pageChunks.farm,
  cart: pageChunks.cart,
  account: pageChunks.account,
  checkout: pageChunks.checkout,
  orders: pageChunks.orders,
  farmer: pageChunks.farmer,
  admin: pageChunks.admin,
  arbiter: pageChunks.arbiter,
  notifications: pageChunks.notifications,
};

// What the page a visit lands on is waiting for: its chunk and its early reads, arrived or failed.
let firstPage: Promise<unknown> = Promise.resolve();

/**
 * Starts what the page a visit lands on needs first, its catalog reads and its chunk, while the app itself is still
 * downloading: the page then renders with its data as soon as the app has started, instead of asking for its code
 * and then its data one after the other.
 */
export function startFirstPage(location: Pick<Location, "pathname" | "search">): void {
  let segments: string[];
  try {
    segments = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return; // A malformed path: the router shows its not-found page, with nothing to start early.
  }
  const [first = "", ...rest] = segments;
  // The reads first: they are the longest wait, and nothing else in this task should hold them back.
  const reads = (FIRST_READS[first]?.(rest, new URLSearchParams(location.search)) ?? []).map(readEarly);
  const chunk = first === "sign-in" && rest.length === 0 ? pageChunks.signIn : FIRST_SEGMENT[first];
  firstPage = Promise.allSettled([chunk?.(), ...reads]);
  // Intl's first formatter costs a phone tens of milliseconds. Made in a task of its own while the app downloads, it
  // is the one the page's prices are written with, instead of a delay inside the first render.
  setTimeout(() => formattersFor(initialLanguage()).money(0, SHOP_CURRENCY), 0);
}

/**
 * Resolves once the first page's chunk and reads have arrived (or failed), but after `maxWaitMs` at most: the app waits
 * for it before its first render, which then shows the page with its data instead of a loading state and a second
 * render. They usually arrive before the app (which is far bigger); the bound keeps a slow API from holding the page.
 */
export function firstPageArrived(maxWaitMs: number): Promise<void> {
  return Promise.race([firstPage, new Promise((resolve) => setTimeout(resolve, maxWaitMs))]).then(() => undefined);
}
