import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { NavLink, Outlet } from "react-router";

import { useSession } from "../api/session-context";
import { useCart } from "../cart-checkout/use-cart";
import { loadWholeCatalog } from "../i18n/setup-i18n";
import { useFormat } from "../i18n/use-format";
import { LanguageSwitch } from "./language-switch";
import { QueryState } from "./query-state";

// Signed-in users only: the bell and its live event stream stay out of the anonymous shop's first download.
const NotificationBell = lazy(() =>
  Promise.all([import("../notifications/notification-bell"), loadWholeCatalog()]).then(([module]) => ({
    default: module.NotificationBell,
  })),
);

/** Every page's frame: skip link, header with navigation, cart count and language, then the page. */
export function Layout() {
  const { t } = useTranslation();
  const session = useSession();
  const cart = useCart();
  const format = useFormat();
  const items = cart.data?.itemCount ?? 0;
  return (
    <>
      <a className="skip-link" href="#main">
        {t("nav.skipToContent")}
      </a>
      <header className="site-header">
        <NavLink to="/" className="brand">
          {t("app.name")}
        </NavLink>
        <nav aria-label={t("nav.label")}>
          <ul className="nav-list">
            <li>
              <NavLink to="/shop">{t("nav.shop")}</NavLink>
            </li>
            <li>
              <NavLink to="/governance">{t("governance.nav")}</NavLink>
            </li>
            <li>
              <NavLink to="/cart">
                {t("nav.cart")}
                {items > 0 && (
                  <span className="badge" aria-label={t("nav.cartItems", { count: items, n: format.number(items) })}>
                    {format.number(items)}
                  </span>
                )}
              </NavLink>
            </li>
            {session.user !== undefined && (
              <>
                <li>
                  <NavLink to="/orders">{t("nav.orders")}</NavLink>
                </li>
                {session.user.roles.includes("farmer") && (
                  <li>
                    <NavLink to="/farmer">{t("nav.farmer")}</NavLink>
                  </li>
                )}
                {session.user.roles.includes("arbiter") && (
                  <li>
                    <NavLink to="/arbiter">{t("nav.arbiter")}</NavLink>
                  </li>
                )}
                {session.user.roles.includes("admin") && (
                  <li>
                    <NavLink to="/admin">{t("nav.admin")}</NavLink>
                  </li>
                )}
                <li>
                  <Suspense fallback={null}>
                    <NotificationBell />
                  </Suspense>
                </li>
              </>
            )}
            <li>
              {session.user === undefined ? (
                <NavLink to="/sign-in">{t("nav.signIn")}</NavLink>
              ) : (
                <NavLink to="/account">{t("nav.account")}</NavLink>
              )}
            </li>
          </ul>
        </nav>
        <LanguageSwitch id="language-header" />
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<QueryState error={undefined} />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="site-footer">
        <p>{t("app.tagline")}</p>
      </footer>
    </>
  );
}
