import { lazy } from "react";
import { BrowserRouter, Route, Routes } from "react-router";

import { Layout } from "./components/layout";

// Each page is its own chunk, fetched when the route is first visited. The declarative router (rather than the data
// router) keeps the shop's first download small: the pages load their own data with TanStack Query.
const HomePage = lazy(() => import("./routes/home-page"));
const ShopPage = lazy(() => import("./routes/shop-page"));
const ProductPage = lazy(() => import("./routes/product-page"));
const FarmPage = lazy(() => import("./routes/farm-page"));
const CartPage = lazy(() => import("./routes/cart-page"));
const SignInPage = lazy(() => import("./routes/sign-in-page"));
const WalletSignInPage = lazy(() => import("./routes/wallet-sign-in-page"));
const AccountPage = lazy(() => import("./routes/account-page"));
const NotFoundPage = lazy(() => import("./routes/not-found-page"));

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
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
