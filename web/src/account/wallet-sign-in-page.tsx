import { lazy, Suspense } from "react";

import { QueryState } from "../components/query-state";

// The wallet stack is the heaviest code of the app; it is fetched only when someone opens this page.
const WalletSignIn = lazy(() =>
  import("../wallet/wallet-sign-in").then((module) => ({ default: module.WalletSignIn })),
);

/** Sign in with a wallet (SIWE). */
export default function WalletSignInPage() {
  return (
    <Suspense fallback={<QueryState error={undefined} />}>
      <WalletSignIn />
    </Suspense>
  );
}
