import { lazy } from "react";
import { BrowserRouter, Route, Routes } from "react-router";

import { Layout } from "./components/layout";
import { loadWholeCatalog } from "./i18n/setup-i18n";

/** A page beyond the shop: its chunk and the rest of the translation catalog load together. */
function withWholeCatalog<T>(load: () => Promise<T>): () => Promise<T> {
  return () => Promise.all([load(), loadWholeCatalog()]).then(([module]) => module);
}

// Each page is its own chunk, fetched when the route is first visited. The declarative router (rather than the data
// router) keeps the shop's first download small: the pages load their own data with TanStack Query.
const pages = {
  home: () => import("./routes/home-page"),
  shop: () => import("./routes/shop-page"),
  product: () => import("./routes/product-page"),
  farm: () => import("./routes/farm-page"),
  cart: () => import("./routes/cart-page"),
  signIn: () => import("./routes/sign-in-page"),
  walletSignIn: withWholeCatalog(() => import("./routes/wallet-sign-in-page")),
  account: withWholeCatalog(() => import("./routes/account-page")),
  notFound: () => import("./routes/not-found-page"),
  checkout: withWholeCatalog(() => import("./routes/checkout-page")),
  checkoutDone: withWholeCatalog(() => import("./routes/checkout-done-page")),
  orders: withWholeCatalog(() => import("./routes/orders-page")),
  order: withWholeCatalog(() => import("./routes/order-page")),
  farmer: withWholeCatalog(() => import("./routes/farmer-page")),
  admin: withWholeCatalog(() => import("./routes/admin-page")),
  arbiter: withWholeCatalog(() => import("./routes/arbiter-page")),
  arbiterDispute: withWholeCatalog(() => import("./routes/arbiter-dispute-page")),
  notifications: withWholeCatalog(() => import("./routes/notifications-page")),
  // Inside the wallet stack, whose strings (wallet names, transaction states) come with the whole catalog.
  governance: withWholeCatalog(() => import("./routes/governance/governance-routes")),
};

const HomePage = lazy(pages.home);
const ShopPage = lazy(pages.shop);
const ProductPage = lazy(pages.product);
const FarmPage = lazy(pages.farm);
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

const FIRST_SEGMENT: Readonly<Record<string, () => Promise<unknown>>> = {
  "": pages.home,
  shop: pages.shop,
  products: pages.product,
  farms: pages.farm,
  cart: pages.cart,
  account: pages.account,
  checkout: pages.checkout,
  orders: pages.orders,
  farmer: pages.farmer,
  admin: pages.admin,
  arbiter: pages.arbiter,
  notifications: pages.notifications,
};

/**
 * Starts fetching the chunk of the page at `pathname` right away, while the app itself starts, instead of after the
 * first render asks for it. The wallet page is left to its route: its sign-in form loads first.
 */
export function preloadPage(pathname: string): void {
  const segments = pathname.split("/").filter(Boolean);
  const load = segments[0] === "sign-in" && segments.length === 1 ? pages.signIn : FIRST_SEGMENT[segments[0] ?? ""];
  void load?.();
}

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
