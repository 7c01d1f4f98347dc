import { MikroORM } from "@mikro-orm/postgresql";

import { loadApiConfig } from "../api/src/config.js";
import { createOrmConfig } from "../api/src/database/orm-config.js";
import { runMigrations } from "../api/src/database/run-migrations.js";
import { createDiskPhotoStore } from "../api/src/photos/photo-store.js";
import { seedArbiter } from "./seed-arbiter.js";
import { seedCatalog } from "./seed-catalog.js";

// `npm run api:seed`: the local shop's farms and products and the local arbiter's account, with the API's own settings (DATABASE_URL, UPLOAD_DIR,
// SHOP_CURRENCY). Safe to run again. A running API serves the new products once its list cache expires.
const config = loadApiConfig();
const orm = await MikroORM.init(createOrmConfig({ databaseUrl: config.databaseUrl, poolMax: 2 }));
try {
  await runMigrations(orm);
  const result = await seedCatalog({
    orm,
    photoStore: createDiskPhotoStore({ dir: config.uploadDir }),
    currency: config.shopCurrency,
  });
  console.log(
    `Catalog seed: ${result.farms} farms (${result.createdFarms} new), ${result.products} products (${result.createdProducts} new)`,
  );
  const arbiter = await seedArbiter({ orm });
  console.log(`Arbiter and admin account: wallet ${arbiter.address}`);
} finally {
  await orm.close();
}
