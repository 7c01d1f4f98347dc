import { lazy, useState } from "react";
import type { ComponentType } from "react";
import { BrowserRouter, Route, Routes } from "react-router";

import { Layout } from "./components/layout";
import { pageChunks } from "./first-page";
import type { PageChunk } from "./first-page";
import { loadWholeCatalog } from "./i18n/setup-i18n";

/** A page beyond the shop: its chunk and the rest of the translation catalog load together. */
function withWholeCatalog<T>(load: () => Promise<T>): () => Promise<T> {
  return () => Promise.all([load(), loadWholeCatalog()]).then(([module]) => module);
}

// Each page is its own chunk (first-page.ts), fetched when the route is first visited. The declarative router (rather
// than the data router) keeps the shop's first download small: the pages load their own data with TanStack Query.
const pages = {
  ...pageChunks,
  cart: withWholeCatalog(pageChunks.cart),
  signIn: withWholeCatalog(pageChunks.signIn),
  walletSignIn: withWholeCatalog(pageChunks.walletSignIn),
  account: withWholeCatalog(pageChunks.account),
  checkout: withWholeCatalog(pageChunks.checkout),
  checkoutDone: withWholeCatalog(pageChunks.checkoutDone),
  orders: withWholeCatalog(pageChunks.orders),
  order: withWholeCatalog(pageChunks.order),
  farmer: withWholeCatalog(pageChunks.farmer),
  admin: withWholeCatalog(pageChunks.admin),
  arbiter: withWholeCatalog(pageChunks.arbiter),
  arbiterDispute: withWholeCatalog(pageChunks.arbiterDispute),
  notifications: withWholeCatalog(pageChunks.notifications),
  // Inside the wallet stack, whose strings (wallet names, transaction states) come with the whole catalog.
  governance: withWholeCatalog(pageChunks.governance),
};

/**
 * A page that needs only the shop's strings: rendered straight away when its chunk has already arrived (the page a
 * visit starts on, whose chunk the entry fetched while the app downloaded), else lazily. Which of the two is fixed when
 * the page mounts, so a page never remounts when its chunk arrives.
 */
function shopPage(chunk: PageChunk<{ default: ComponentType }>): ComponentType {
  const Lazy = lazy(chunk);
  return function Page() {
    const [Loaded] = useState(() => chunk.loaded()?.default);
    return Loaded === undefined ? <Lazy /> : <Loaded />;
  };
}

const HomePage = shopPage(pages.home);
const ShopPage = shopPage(pages.shop);
const ProductPage = shopPage(pages.product);
const FarmPage = shopPage(pages.farm);
const CartPage = lazy(pages.cart);
const SignInPage = lazy(pages.signIn);
const WalletSignInPage = lazy(pages.walletSignIn);
const AccountPage = lazy(pages.account);
const NotFoundPage = lazy(pages.notFound);
const CheckoutPage = lazy(pages.checkout);
const CheckoutDonePage = lazy(pages.checkoutDone);
const OrdersPage = lazy(pages.orders);
const OrderPage = lazy(pages.order);
const FarmerPage = lazy(pages.farmer);
const AdminPage = lazy(pages.admin);
const ArbiterPage = lazy(pages.arbiter);
const ArbiterDisputePage = lazy(pages.arbiterDispute);
const NotificationsPage = lazy(pages.notifications);
const GovernanceRoutes = lazy(pages.governance);

/** The app's pages inside the shared layout. */
export function AppRouter() {
  return (
    <BrowserRouter>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<HomePage />} />
          <Route path="shop" element={<ShopPage />} />
          <Route path="products/:id" element={<ProductPage />} />
          <Route path="farms/:slug" element={<FarmPage />} />
          <Route path="cart" element={<CartPage />} />
          <Route path="sign-in" element={<SignInPage />} />
          <Route path="sign-in/wallet" element={<WalletSignInPage />} />
          <Route path="account" element={<AccountPage />} />
          <Route path="checkout" element={<CheckoutPage />} />
          <Route path="checkout/:checkoutId/done" element={<CheckoutDonePage />} />
          <Route path="orders" element={<OrdersPage />} />
          <Route path="orders/:id" element={<OrderPage />} />
          <Route path="farmer" element={<FarmerPage />} />
          <Route path="admin" element={<AdminPage />} />
          <Route path="arbiter" element={<ArbiterPage />} />
          <Route path="arbiter/disputes/:id" element={<ArbiterDisputePage />} />
          <Route path="notifications" element={<NotificationsPage />} />
          <Route path="governance/*" element={<GovernanceRoutes />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
