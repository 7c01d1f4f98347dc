import { MikroORM } from "@mikro-orm/postgresql";
import { pino } from "pino";

import { loadApiConfig } from "./config.js";
import { createOrmConfig } from "./database/orm-config.js";
import { runMigrations } from "./database/run-migrations.js";

// `npm run api:migrate`: applies pending migrations and exits; `main.ts` does the same before it listens.
const log = pino({ base: { service: "api-migrate" } });
const config = loadApiConfig();
const orm = await MikroORM.init(createOrmConfig({ databaseUrl: config.databaseUrl, poolMax: 1 }));
try {
  const applied = await runMigrations(orm);
  log.info({ applied }, applied.length === 0 ? "schema is up to date" : `applied ${applied.length} migration(s)`);
} finally {
  await orm.close();
}
