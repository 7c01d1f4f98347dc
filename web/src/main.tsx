import "./styles.css";

import { startFirstPage } from "./first-page";

// The entry is small and starts the first page's chunk and data before the app (React, the router, i18next) has
// arrived; index.html preloads the app alongside it (see preloadApp in vite.config.ts).
startFirstPage(location);
await import("./app");
