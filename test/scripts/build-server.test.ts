import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { ServerBuildError, buildServer } from "../../scripts/build-server.js";
import type { ServerBuild } from "../../scripts/build-server.js";
import { waitFor } from "../../bench/wait-for.js";
import { startApiProcess } from "../support/api-process.js";
import { createTestDatabase } from "../support/database.js";
import type { TestDatabase } from "../support/database.js";
import { freePort } from "../support/free-port.js";

/** Runs `node args` to its end with `env` added, resolving its exit code and output. */
function runNode(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

describe("build-server (the server image's bundles)", () => {
  let build: ServerBuild;
  let database: TestDatabase;
  let scratch: string;

  before(async () => {
    // Inside the checkout, so the bundles find node_modules above them as they do in the image.
    const outDir = path.resolve("build", `server-test-${process.pid}`);
    [build, database, scratch] = await Promise.all([
      buildServer({ outDir }),
      createTestDatabase(),
      mkdtemp(path.join(tmpdir(), "agridao-server-build-")),
    ]);
  });

  after(async () => {
    await Promise.all([
      rm(build.outDir, { recursive: true, force: true }),
      rm(scratch, { recursive: true, force: true }),
      database.drop(),
    ]);
  });

  const databaseUrl = () => `postgres://postgres@127.0.0.1:5432/${database.name}`;

  it("bundles the API, its migrations and the indexer, importing production dependencies only", async () => {
    const { dependencies } = JSON.parse(await readFile("package.json", "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(build.externalPackages).to.include.members(["koa", "pg", "@mikro-orm/postgresql", "viem"]);
    for (const name of build.externalPackages) expect(dependencies, name).to.have.property(name);
    const bundles = await readdir(build.outDir, { recursive: true });
    expect(bundles).to.include.members([
      "package.json",
      path.join("api", "dist", "main.js"),
      path.join("api", "dist", "migrate.js"),
      path.join("indexer", "dist", "main.js"),
    ]);
    // The indexer reads its SQL migrations from ../migrations beside its bundle.
    expect(await readdir(path.join(build.outDir, "indexer", "migrations"))).to.deep.equal(
      await readdir(path.join("indexer", "migrations")),
    );
  });

  it("refuses a bundle that imports a package outside the production dependencies, naming it", async () => {
    const entry = path.join(scratch, "uses-chai.ts");
    await writeFile(entry, 'import { expect } from "chai";\nexpect(1).to.equal(1);\n');
    const outDir = path.join(scratch, "refused");
    const error = await buildServer({ outDir, entryPoints: { main: entry } }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(ServerBuildError);
    expect((error as ServerBuildError).packages).to.deep.equal(["chai"]);
    expect((error as Error).message).to.contain('"dependencies"');
    expect(await readdir(scratch)).to.not.include("refused");
  });

  it("runs the migrations and then the API with node alone, as the image does", async () => {
    const env = {
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl(),
      CHAIN_ID: "31337",
      CHAIN_RPC_URL: `http://127.0.0.1:${await freePort()}`,
      JWT_SECRET: "a-server-build-test-secret-of-at-least-32-bytes",
      PUBLIC_WEB_ORIGIN: "http://localhost:8080",
      UPLOAD_DIR: path.join(scratch, "uploads"),
      EVIDENCE_DIR: path.join(scratch, "evidence"),
    };
    const migrate = await runNode([path.join(build.outDir, "api", "dist", "migrate.js")], env);
    expect(migrate.code, migrate.output).to.equal(0);
    const { rows } = await database.pool.query<{ count: string }>("SELECT count(*) FROM mikro_orm_migrations");
    const migrations = await readdir(path.join("api", "src", "migrations"));
    expect(Number(rows[0].count)).to.equal(migrations.length);

    const api = await startApiProcess(
      { ...env, API_PORT: String(await freePort()) },
      { nodeArgs: ["--enable-source-maps", path.join(build.outDir, "api", "dist", "main.js")] },
    );
    try {
      expect(await (await api.request("/health")).json()).to.deep.equal({ status: "ok" });
      expect((await api.request("/api/docs/")).status, "swagger-ui-dist is found from the bundle").to.equal(200);
    } finally {
      expect(await api.stop()).to.equal(0);
    }
  });

  it("runs the indexer with node alone: it applies its SQL migrations and serves /health", async () => {
    const deploymentFile = path.join(scratch, "deployment.json");
    const address = (digit: string) => `0x${digit.repeat(40)}`;
    await writeFile(
      deploymentFile,
      JSON.stringify({
        chainId: 31337,
        startBlock: 0,
        addresses: {
          MarketplaceEscrow: address("1"),
          AgriToken: address("2"),
          AgriGovernor: address("3"),
          AgriTimelock: address("4"),
        },
      }),
    );
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(build.outDir, "indexer", "dist", "main.js")], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl(),
        INDEXER_CHAIN_ID: "31337",
        // Nothing answers there: the indexer keeps retrying the node, which does not hold its HTTP server.
        INDEXER_RPC_URL: `http://127.0.0.1:${await freePort()}`,
        INDEXER_DEPLOYMENT_FILE: deploymentFile,
        INDEXER_HTTP_HOST: "127.0.0.1",
        INDEXER_HTTP_PORT: String(port),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      await waitFor(
        "the bundled indexer's /health",
        async () => ((await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined),
        { timeoutMs: 30_000, intervalMs: 100 },
      ).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; its output:\n${output}`);
      });
      const { rows } = await database.pool.query<{ version: string }>(
        "SELECT version FROM indexer.schema_migrations ORDER BY version",
      );
      const files = (await readdir(path.join("indexer", "migrations"))).map((file) => file.replace(/\.sql$/, ""));
      expect(rows.map((row) => row.version)).to.deep.equal(files.sort());
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  });
});
