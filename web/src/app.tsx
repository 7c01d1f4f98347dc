import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode, startTransition } from "react";
import { createRoot } from "react-dom/client";

import { SessionProvider } from "./api/session-provider";
import { AppRouter } from "./app-router";
import { firstPageArrived } from "./first-page";
import { setupI18n } from "./i18n/setup-i18n";

const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 30_000, retry: 1, refetchOnWindowFocus: false } },
});

// How long the first render waits for the landing page's data (see firstPageArrived) before it shows a loading state.
const FIRST_PAGE_WAIT_MS = 1_000;

await Promise.all([setupI18n(), firstPageArrived(FIRST_PAGE_WAIT_MS)]);

const root = createRoot(document.getElementById("root")!);
// As a transition, React renders the first page in slices, yielding to the browser between them, instead of in one
// long task that a phone spends unresponsive.
startTransition(() =>
  root.render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <AppRouter />
        </SessionProvider>
      </QueryClientProvider>
    </StrictMode>,
  ),
);
