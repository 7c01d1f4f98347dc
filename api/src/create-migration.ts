import { MikroORM } from "@mikro-orm/postgresql";

import { loadApiConfig } from "./config.js";
import { MIGRATIONS_DIR, createOrmConfig } from "./database/orm-config.js";

// `npm run api:migration:create -- <name>`: diffs the entities against a database that has every migration
// applied and writes the difference as a new migration, to be reviewed and listed in database/orm-config.ts.
const name = process.argv[2];
if (name === undefined || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run api:migration:create -- <snake_case_name>");
  process.exit(2);
}
const config = loadApiConfig();
const orm = await MikroORM.init(createOrmConfig({ databaseUrl: config.databaseUrl, poolMax: 1 }));
try {
  const result = await orm.migrator.create(MIGRATIONS_DIR, false, false, name);
  if (result.diff.up.length === 0) console.log("The entities match the database; no migration written.");
  else
    console.log(
      `Wrote ${MIGRATIONS_DIR}${result.fileName}; review it, then add it to migrationsList in database/orm-config.ts.`,
    );
} finally {
  await orm.close();
}
