import { buildServer } from "./build-server.js";

// `npm run server:build`: the server image's bundles (API, migrations, indexer) in build/server.
const { outDir, externalPackages } = await buildServer();
console.log(`Server bundles in ${outDir}; they import ${externalPackages.join(", ")}`);
